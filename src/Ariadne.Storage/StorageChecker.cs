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
    public static StorageCheckReport Check(string dataDirectory, bool repair, IStorageDevice? device = null)
    {
        device ??= FileSystemDevice.Instance;
        var problems = new List<string>();
        var repairs = new List<string>();
        long records = 0, pages = 0;
        var blocks = 0;
        var tenants = device.ListDirectories(dataDirectory);
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
        foreach (var segment in device.ListFiles(wal, IngestLog.SegmentPattern))
        {
            using var file = device.OpenOrCreate(segment);
            var length = file.Length;
            long position = 0;
            var header = new byte[LogRecordHeader.Size];
            string? damage = null;
            while (position < length)
            {
                if (length - position < LogRecordHeader.Size || file.Read(position, header) != LogRecordHeader.Size
                    || !LogRecordHeader.TryRead(header, out var kind, out var payloadLength, out _, out var crc)
                    || payloadLength > length - position - LogRecordHeader.Size)
                {
                    damage = $"damaged or torn record header at byte {position}";
                    break;
                }

                var payload = new byte[payloadLength];
                file.Read(position + LogRecordHeader.Size, payload);
                if (Crc32C.Compute(payload) != crc)
                {
                    damage = $"record at byte {position} fails its checksum";
                    break;
                }

                if (kind == LogRecordHeader.SpanBatchKind && !SpanBatchCodec.TryDecode(payload, out _, out var error))
                {
                    damage = $"record at byte {position} is inconsistent: {error}";
                    break;
                }

                records++;
                position += LogRecordHeader.Size + payloadLength;
            }

            if (damage is not null)
            {
                problems.Add($"{segment}: {damage} ({length - position} bytes from there on)");
                if (repair)
                {
                    file.SetLength(position);
                    file.Flush();
                    repairs.Add($"{segment}: truncated to {position} bytes");
                }
            }
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
