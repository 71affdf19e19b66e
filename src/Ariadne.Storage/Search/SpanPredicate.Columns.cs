using System.Text;
using Ariadne.Model;
using Ariadne.Storage.Blocks.V1;

namespace Ariadne.Storage.Search;

/// <summary>
/// The predicate tested on a page's encoded columns, without decoding its rows: status and kind on
/// their byte column, duration on its varints, name and dedicated span attributes through the page's
/// string indices (each distinct string judged once). The answers are exactly those of
/// <see cref="Matches"/>, so a page where no span matches is skipped without being decoded.
/// </summary>
internal sealed partial class SpanPredicate
{
    /// <summary>
    /// Sets <paramref name="matches"/>[i] to whether the page's span i meets the predicate; false when
    /// the predicate cannot be judged on columns (an attribute without a dedicated column, a resource
    /// attribute, the service), and then nothing is written.
    /// </summary>
    public bool TryMatchColumns(StoredPage page, Span<bool> matches)
    {
        switch (Field)
        {
            case SpanField.Status:
            case SpanField.Kind:
            {
                var column = page.Column((int)PageColumns.KindStatus);
                if (column.Length != matches.Length)
                {
                    throw new InvalidDataException("kind and status column does not have one byte per span");
                }

                var status = Field == SpanField.Status;
                for (var i = 0; i < matches.Length; i++)
                {
                    var value = status ? column[i] >> 4 : column[i] & 0x0F;
                    matches[i] = Operator == PredicateOperator.Exists || CompareNumber((long)value);
                }

                return true;
            }

            case SpanField.Duration:
            {
                var durations = new ColumnReader(page.Column((int)PageColumns.Durations));
                for (var i = 0; i < matches.Length; i++)
                {
                    var duration = durations.Varint();
                    matches[i] = Operator == PredicateOperator.Exists || CompareNumber((double)(duration > long.MaxValue ? 0 : duration));
                }

                return true;
            }

            case SpanField.Name:
            {
                var strings = new PageStrings(page.ColumnMemory((int)PageColumns.Strings));
                var names = new ColumnReader(page.Column((int)PageColumns.Names));
                for (var i = 0; i < matches.Length; i++)
                {
                    matches[i] = strings.Judge(names.Count(strings.Count), this);
                }

                return true;
            }

            case SpanField.ServiceName:
            {
                if (page.Column((int)PageColumns.ResourceServices).IsEmpty)
                {
                    return false;
                }

                var strings = new PageStrings(page.ColumnMemory((int)PageColumns.Strings));
                var services = SpanServices(page, strings.Count);
                for (var i = 0; i < matches.Length; i++)
                {
                    matches[i] = strings.Judge(services[i], this);
                }

                return true;
            }

            case SpanField.SpanAttribute:
            {
                var dedicated = page.FindDedicated(_key);
                if (dedicated < 0)
                {
                    return false;
                }

                MatchDedicated(page, page.Column(dedicated), matches);
                return true;
            }

            default:
                return false;
        }
    }

    /// <summary>
    /// The service of each span of a page, as a string index: span → scope (scope refs) → resource
    /// (scopes) → its service.name (resource services). Empty when the page predates that column.
    /// </summary>
    public static int[] SpanServices(StoredPage page, int stringCount)
    {
        var servicesColumn = page.Column((int)PageColumns.ResourceServices);
        if (servicesColumn.IsEmpty)
        {
            return [];
        }

        var services = new ColumnReader(servicesColumn);
        var resourceServices = new List<int>();
        while (!services.IsAtEnd)
        {
            resourceServices.Add(services.Count(stringCount));
        }

        var scopes = new ColumnReader(page.Column((int)PageColumns.Scopes));
        var scopeCount = scopes.Count(page.SpanCount);
        var rows = new ColumnReader(scopes.Bytes());
        var scopeService = new int[scopeCount];
        for (var i = 0; i < scopeCount; i++)
        {
            scopeService[i] = resourceServices[rows.Count(resourceServices.Count - 1)];
            rows.Varint();
            rows.Varint();
            rows.Varint();
            rows.Varint();
        }

        var refs = new ColumnReader(page.Column((int)PageColumns.ScopeRefs));
        var result = new int[page.SpanCount];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = scopeService[refs.Count(scopeCount - 1)];
        }

        return result;
    }

    private void MatchDedicated(StoredPage page, ReadOnlySpan<byte> column, Span<bool> matches)
    {
        var reader = new ColumnReader(column);
        reader.Bytes();
        var tagsStart = column.Length - reader.Remaining;
        if (reader.Remaining < matches.Length)
        {
            throw new InvalidDataException("dedicated column has fewer tags than the page has spans");
        }

        var tags = column.Slice(tagsStart, matches.Length);
        var values = new ColumnReader(column[(tagsStart + matches.Length)..]);
        var positions = values.Count(values.Remaining);
        for (var skip = 0; skip < positions; skip++)
        {
            values.Byte();
        }

        PageStrings strings = default;
        for (var i = 0; i < tags.Length; i++)
        {
            var tag = (Model.ValueKind)tags[i];
            bool match;
            switch (tag)
            {
                case 0:
                    matches[i] = false;
                    continue;
                case Model.ValueKind.String:
                {
                    var index = values.Count(int.MaxValue);
                    if (Operator == PredicateOperator.Exists)
                    {
                        match = true;
                        break;
                    }

                    if (!strings.IsLoaded)
                    {
                        strings = new PageStrings(page.ColumnMemory((int)PageColumns.Strings));
                    }

                    if (index > strings.Count)
                    {
                        throw new InvalidDataException("string index outside the page's table");
                    }

                    match = ValueKind == PredicateValueKind.Text
                        ? CompareOrder(strings.Get(index).SequenceEqual(_stringValue) ? 0 : 1)
                        : strings.Judge(index, this);
                    break;
                }

                case Model.ValueKind.Bool:
                {
                    var value = values.Byte() != 0;
                    match = Operator == PredicateOperator.Exists
                        || (ValueKind == PredicateValueKind.Text ? CompareOrder(_textBool == value ? 0 : 1)
                            : ValueKind == PredicateValueKind.Bool && CompareOrder((value ? 1 : 0).CompareTo((int)Integer)));
                    break;
                }

                case Model.ValueKind.Int:
                {
                    var value = values.SignedVarint();
                    match = Operator == PredicateOperator.Exists
                        || (ValueKind == PredicateValueKind.Text ? CompareOrder(_textInt == value ? 0 : 1) : CompareNumber(value));
                    break;
                }

                case Model.ValueKind.Double:
                case (Model.ValueKind)PageEncoder.StoredDecimalDouble:
                {
                    var value = tag == Model.ValueKind.Double
                        ? BitConverter.Int64BitsToDouble((long)values.UInt64())
                        : DecimalDouble.Decode(values.Byte(), values.SignedVarint());
                    match = Operator == PredicateOperator.Exists
                        || (ValueKind == PredicateValueKind.Text ? CompareOrder(_textDouble == value ? 0 : 1) : CompareNumber(value));
                    break;
                }

                default:
                    throw new InvalidDataException($"dedicated column holds unknown value type {(byte)tag}");
            }

            matches[i] = match;
        }
    }

    /// <summary>What <see cref="CompareString"/> answers for a string of the page, given its bytes.</summary>
    private bool JudgeString(ReadOnlySpan<byte> bytes)
    {
        if (Operator == PredicateOperator.Exists)
        {
            return !bytes.IsEmpty;
        }

        if (ValueKind is not (PredicateValueKind.String or PredicateValueKind.Text))
        {
            return false;
        }

        return Operator == PredicateOperator.Matches
            ? _regex!.IsMatch(Encoding.UTF8.GetString(bytes))
            : CompareOrder(bytes.SequenceCompareTo(_stringValue));
    }

    /// <summary>A page's string table, located once, each string judged at most once per predicate.</summary>
    private struct PageStrings
    {
        private readonly ReadOnlyMemory<byte> _column;
        private readonly int[] _starts;
        private readonly int[] _lengths;
        private readonly sbyte[] _judged;

        public PageStrings(ReadOnlyMemory<byte> column)
        {
            _column = column;
            var reader = new ColumnReader(column.Span);
            Count = reader.Count(_column.Length);
            _starts = new int[Count + 1];
            _lengths = new int[Count + 1];
            _judged = new sbyte[Count + 1];
            for (var i = 1; i <= Count; i++)
            {
                var bytes = reader.Bytes();
                _lengths[i] = bytes.Length;
                _starts[i] = _column.Length - reader.Remaining - bytes.Length;
            }

            IsLoaded = true;
        }

        public bool IsLoaded { get; }

        public int Count { get; }

        public readonly ReadOnlySpan<byte> Get(int index) => _column.Span.Slice(_starts[index], _lengths[index]);

        public readonly bool Judge(int index, SpanPredicate predicate)
        {
            var judged = _judged[index];
            if (judged == 0)
            {
                judged = predicate.JudgeString(Get(index)) ? (sbyte)1 : (sbyte)-1;
                _judged[index] = judged;
            }

            return judged > 0;
        }
    }
}
