using System.Buffers;
using Ariadne.Storage.Blocks;
using Ariadne.Storage.Blocks.V1;
using Ariadne.Storage.IO;
using Ariadne.Storage.Log;

namespace Ariadne.Storage;

/// <summary>What <see cref="StorageChecker"/> found.</summary>
internal sealed record StorageCheckReport(int Tenants, long RecordsChecked, int BlocksChecked, long PagesChecked, IReadOnlyList<string> Problems, IReadOnlyList<string> Repairs)
{
    public bool Clean => Problems.Count == 0;
}

/// <summary>
/// Offline verification of a data directory (<c>ariadne fsck</c>): every ingest-log record and every
/// block page is read and checked against its checksums and structure. With repair, damaged blocks
/// are quarantined and torn log tails truncated, exactly as the server would on start.
/// </summary>
internal static class StorageChecker
{
    private const int CheckBufferBytes = 64 * 1024;

    public static StorageCheckReport Check(string dataDirectory, bool repair, IStorageDevice? device = null)
    {
        device ??= FileSystemDevice.Instance;
        var problems = new List<string>();
        var repairs = new List<string>();
        long records = 0, pages = 0;
        var blocks = 0;
        // A folder whose name starts with '@' holds server state that is not a tenant's ('@' is not
        // allowed in tenant ids), such as the keys protecting UI sessions.
        var tenants = device.ListDirectories(dataDirectory).Where(d => !Path.GetFileName(d).StartsWith('@')).ToList();
        foreach (var tenant in tenants)
        {
            records += CheckLog(device, Path.Combine(tenant, SpanStore.WalDirectory), repair, problems, repairs);
            foreach (var block in device.ListDirectories(Path.Combine(tenant, SpanStore.BlocksDirectory)))
            {
                blocks++;
                var damage = CheckBlock(device, block, ref pages);
                if (damage is null)
                {
                    continue;
                }

                problems.Add($"{block}: {damage}");
                if (repair)
                {
                    if (device.FileExists(Path.Combine(block, BlockFiles.Meta)))
                    {
                        var quarantine = Path.Combine(tenant, SpanStore.QuarantineDirectory);
                        device.CreateDirectory(quarantine);
                        device.Move(block, Path.Combine(quarantine, Path.GetFileName(block)));
                        repairs.Add($"{block}: moved to {quarantine}");
                    }
                    else
                    {
                        device.DeleteDirectory(block);
                        repairs.Add($"{block}: unfinished block removed (its spans are still in the ingest log)");
                    }
                }
            }
        }

        return new StorageCheckReport(tenants.Count, records, blocks, pages, problems, repairs);
    }

    private static long CheckLog(IStorageDevice device, string wal, bool repair, List<string> problems, List<string> repairs)
    {
        long records = 0;
        long lastSequence = -1;
        var payloadBuffer = ArrayPool<byte>.Shared.Rent(CheckBufferBytes);
        try
        {
            foreach (var segment in device.ListFiles(wal, IngestLog.SegmentPattern))
            {
                using var file = device.OpenOrCreate(segment);
                var length = file.Length;
                var inconsistent = 0L;
                string? firstError = null;

                // The same reading as on start, so fsck and the server agree on what is torn and what is corrupt.
                var scan = SegmentScanner.Scan(
                    file,
                    lastSequence,
                    (sequence, kind, payload) =>
                    {
                        if (kind == LogRecordHeader.SpanBatchKind && !SpanBatchCodec.TryDecode(payload.Span, out _, out var error))
                        {
                            inconsistent++;
                            firstError ??= $"record {sequence} is inconsistent: {error}";
                        }
                        else if (kind == LogRecordHeader.SpanRecordKind && !SpanRecord.TryDecode(payload.Span, out _, out _))
                        {
                            inconsistent++;
                            firstError ??= $"record {sequence} is inconsistent: the compressed batch does not decode";
                        }
                    },
                    ref payloadBuffer);
                records += scan.Records;
                lastSequence = scan.LastSequence;
                if (inconsistent > 0)
                {
                    problems.Add($"{segment}: {inconsistent} records pass their checksums but do not decode ({firstError}); the server skips them");
                }

                if (scan.CorruptRegions > 0)
                {
                    problems.Add($"{segment}: {scan.CorruptRegions} damaged stretches ({scan.CorruptBytesSkipped} bytes) with valid records after them; kept for inspection");
                }

                if (scan.GoodLength < length)
                {
                    problems.Add($"{segment}: damaged or torn tail at byte {scan.GoodLength} ({length - scan.GoodLength} bytes from there on)");
                    if (repair)
                    {
                        file.SetLength(scan.GoodLength);
                        file.Flush();
                        repairs.Add($"{segment}: truncated to {scan.GoodLength} bytes");
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payloadBuffer);
        }

        return records;
    }

    private static string? CheckBlock(IStorageDevice device, string block, ref long pages)
    {
        if (!device.FileExists(Path.Combine(block, BlockFiles.Meta)))
        {
            return "no meta.json (an unfinished block)";
        }

        try
        {
            using var reader = BlockReaderV1.Open(device, block);
            long spans = 0;
            for (var p = 0; p < reader.PageCount; p++)
            {
                spans += reader.ReadPage(p).SpanCount;
                pages++;
            }

            return spans == reader.Meta.SpanCount ? null : $"pages hold {spans} spans, meta.json says {reader.Meta.SpanCount}";
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or IOException)
        {
            return e.Message;
        }
    }
}
