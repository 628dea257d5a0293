using Hub.Batches;
using Hub.Batches.Compression;
using Hub.Errors;

namespace Hub.Silo.Log;

/// <summary>
/// Checks record batches from a producer before any of them is stored, so an append is all or nothing and
/// the log never holds a batch a consumer could choke on. Structural damage (lengths, magic, CRC) is
/// <see cref="ErrorCode.CorruptMessage"/>, a well-formed batch that breaks the format's rules is
/// <see cref="ErrorCode.InvalidRecord"/>, as in Kafka. A compressed batch is decompressed into a pooled buffer
/// and its records checked like an uncompressed batch's; the append then stores it as it came, or recompressed
/// when the topic's compression.type names another codec (<see cref="BatchRecompressor"/>). What the checks read
/// is kept in a <see cref="ValidatedBatches"/>, so the append walks the headers once.
/// </summary>
internal static class RecordBatchValidator
{
    private const int MinBatchLength = RecordBatchLayout.HeaderSize - RecordBatchLayout.LogOverhead;

    /// <summary>
    /// Most the compressed batches of one append may decompress to in all, as one batch may alone: clients send one
    /// batch per partition, and without this bound a request of many small batches that each expand to just under
    /// <see cref="RecordBatchCompression.MaxDecompressedBytes"/> would cost gigabytes of decompression.
    /// </summary>
    public const int MaxDecompressedBytesPerAppend = RecordBatchCompression.MaxDecompressedBytes;

    /// <summary>
    /// Validates one or more concatenated v2 batches that must fill <paramref name="batches"/> exactly, and puts
    /// each one's position and header in <paramref name="validated"/> (cleared first) for the append to use.
    /// Throws <see cref="HubException"/> on the first problem; when compressed batches together decompress to more than
    /// <see cref="MaxDecompressedBytesPerAppend"/>, <see cref="ErrorCode.MessageTooLarge"/>.
    /// </summary>
    /// <param name="maxBatchBytes">Largest batch accepted (the topic's max.message.bytes).</param>
    /// <param name="compressedRecordsChecked">
    /// The records of the compressed batches were checked already, by this validation of these very bytes
    /// (<see cref="AppendPreparation"/>): they are not decompressed again.
    /// </param>
    /// <param name="keysRequired">
    /// The topic is compacted: a record without a key is INVALID_RECORD, as Kafka's LogValidator has it (the cleaner
    /// could only drop it).
    /// </param>
    /// <param name="timestamps">The record timestamps the topic accepts now; a record outside is INVALID_TIMESTAMP. Null: any.</param>
    public static void Validate(ReadOnlyMemory<byte> batches, int maxBatchBytes, ValidatedBatches validated, bool compressedRecordsChecked = false,
        bool keysRequired = false, TimestampBounds? timestamps = null)
    {
        var bounds = timestamps ?? TimestampBounds.None;
        validated.Clear();
        if (batches.IsEmpty) throw new HubException(ErrorCode.InvalidRecord, "no record batches");
        long decompressed = 0;
        for (int position = 0, index = 0, recordsBefore = 0; position < batches.Length; index++)
        {
            var header = ValidateBatch(batches[position..], index, position, maxBatchBytes);
            var recordsMaxTimestamp = header.MaxTimestamp;
            if (header.Compression == CompressionType.None)
                recordsMaxTimestamp = ValidateRecords(batches.Slice(position, header.TotalSize), header, index, position, recordsBefore, keysRequired, bounds);
            else if (!compressedRecordsChecked)
            {
                decompressed += ValidateCompressedRecords(batches.Slice(position, header.TotalSize), header, index, position, recordsBefore, keysRequired,
                    bounds, out recordsMaxTimestamp);
                if (decompressed > MaxDecompressedBytesPerAppend)
                    throw new HubException(ErrorCode.MessageTooLarge,
                        $"{Where(index, position)}: the append's compressed batches decompress to more than {MaxDecompressedBytesPerAppend} bytes in all");
            }
            // As Kafka's leader, a CreateTime batch gets its records' largest timestamp as its max timestamp (the time
            // index relies on it) rather than a refusal: sarama leaves -1 there. The append writes it (ValidatedBatches.WriteMaxTimestamps).
            if ((header.Attributes & RecordBatchLayout.TimestampTypeLogAppendTime) == 0) header = header with { MaxTimestamp = recordsMaxTimestamp };
            validated.Add(position, header);
            position += header.TotalSize;
            recordsBefore += header.RecordCount;
        }
    }

    /// <summary>Whether <paramref name="batches"/> hold a compressed batch (among those whose headers can be read), whose records are costly to check.</summary>
    public static bool HasCompressedBatch(ReadOnlySpan<byte> batches) =>
        BatchHeaders.Any(batches, static header => header.Compression != CompressionType.None);

    /// <summary>
    /// Checks batches a follower copied from its leader, which validated their records: each must be whole with
    /// its CRC holding, and their offsets must follow <paramref name="logEndOffset"/>: start at it, or past it where
    /// the leader's cleaner removed whole batches (a compacted log has gaps), never before it. Puts each one's
    /// position and header in <paramref name="validated"/> (cleared first). Returns the base offset of the last batch
    /// that followed a gap; -1 when none did.
    /// </summary>
    public static long ValidateReplicated(ReadOnlySpan<byte> batches, long logEndOffset, ValidatedBatches validated)
    {
        var afterGap = -1L;
        validated.Clear();
        var nextOffset = logEndOffset;
        for (var position = 0; position < batches.Length;)
        {
            var batch = batches[position..];
            if (!RecordBatchHeader.TryRead(batch, out var header) || header.TotalSize < RecordBatchLayout.HeaderSize
                || header.TotalSize > batch.Length || RecordBatchHeader.ComputeCrc(batch[..header.TotalSize]) != header.Crc)
                throw new HubException(ErrorCode.CorruptMessage, $"replicated batch at byte {position} is damaged");
            if (header.BaseOffset < nextOffset)
                throw new HubException(ErrorCode.OffsetOutOfRange, $"replicated batch starts at offset {header.BaseOffset}, the log ends at {nextOffset}");
            if (header.BaseOffset > nextOffset) afterGap = header.BaseOffset;
            validated.Add(position, header);
            nextOffset = header.LastOffset + 1;
            position += header.TotalSize;
        }
        return afterGap;
    }

    private static RecordBatchHeader ValidateBatch(ReadOnlyMemory<byte> rest, int index, int position, int maxBatchBytes)
    {
        if (!RecordBatchHeader.TryRead(rest.Span, out var header))
            throw Corrupt(index, position, $"{rest.Length} trailing bytes are too few for a batch header");
        if (header.Magic != RecordBatchLayout.CurrentMagic)
            throw Corrupt(index, position, $"magic byte is {header.Magic}, only {RecordBatchLayout.CurrentMagic} is supported");
        if (header.BatchLength < MinBatchLength || (long)header.BatchLength + RecordBatchLayout.LogOverhead > rest.Length)
            throw Corrupt(index, position, $"batch length {header.BatchLength} does not fit the {rest.Length - RecordBatchLayout.LogOverhead} bytes that follow it");
        if (header.TotalSize > maxBatchBytes)
            throw new HubException(ErrorCode.MessageTooLarge, $"{Where(index, position)}: {header.TotalSize} bytes is over the topic's limit of {maxBatchBytes}");
        if (RecordBatchHeader.ComputeCrc(rest.Span[..header.TotalSize]) != header.Crc) throw Corrupt(index, position, $"CRC mismatch");
        if (header.RecordCount < 1) throw Invalid(index, position, $"record count {header.RecordCount}");
        if (header.LastOffsetDelta != header.RecordCount - 1)
            throw Invalid(index, position, $"last offset delta {header.LastOffsetDelta} does not match record count {header.RecordCount}");
        // Only a broker writes control records (transaction markers), as Kafka's LogValidator insists.
        if (header.IsControl) throw Invalid(index, position, "clients are not allowed to write control records");
        if (header.Compression > CompressionType.Zstd) throw Corrupt(index, position, $"unknown compression codec {(int)header.Compression}");
        return header;
    }

    /// <summary>
    /// Walks an uncompressed batch's records: their structure must fill the batch exactly, offset deltas must
    /// run 0..n-1, and each timestamp must be within <paramref name="timestamps"/>. Returns the records' largest timestamp.
    /// Records without a key where <paramref name="keysRequired"/> are all named in the refusal (as Kafka's LogValidator
    /// lists them), by index counted from the append's first record (<paramref name="recordsBefore"/> precede this batch).
    /// </summary>
    private static long ValidateRecords(ReadOnlyMemory<byte> batch, in RecordBatchHeader header, int index, int position, int recordsBefore,
        bool keysRequired, in TimestampBounds timestamps)
    {
        var records = new RecordReader(batch);
        var expectedDelta = 0L;
        var maxTimestamp = long.MinValue;
        List<int>? keyless = null;
        try
        {
            while (records.MoveNext())
            {
                var record = records.Current;
                if (record.Offset - header.BaseOffset != expectedDelta)
                    throw Invalid(index, position, $"record {expectedDelta} has offset delta {record.Offset - header.BaseOffset}");
                if (keysRequired && record.Key is null) (keyless ??= []).Add(recordsBefore + (int)expectedDelta);
                if (timestamps.Excludes(record.Timestamp)) throw OutOfRange(index, position, expectedDelta, record.Timestamp, timestamps);
                maxTimestamp = Math.Max(maxTimestamp, record.Timestamp);
                expectedDelta++;
            }
        }
        catch (InvalidDataException e)
        {
            throw Invalid(index, position, $"record {expectedDelta}: {e.Message}");
        }
        if (keyless is not null)
            throw new HubException(ErrorCode.InvalidRecord,
                $"{Where(index, position)}: {keyless.Count} record(s) have no key: a compacted topic cannot accept a record without a key")
            {
                RecordIndexes = [.. keyless],
            };
        return maxTimestamp;
    }

    /// <summary>Decompresses the batch (see <see cref="RecordBatchCompression.Decompress"/>) and walks its records; returns the bytes it decompressed to.</summary>
    private static int ValidateCompressedRecords(ReadOnlyMemory<byte> batch, in RecordBatchHeader header, int index, int position, int recordsBefore,
        bool keysRequired, in TimestampBounds timestamps, out long maxTimestamp)
    {
        PooledBufferWriter plain;
        try
        {
            plain = RecordBatchCompression.Decompress(batch, header);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(index, position, e.Message);
        }
        using (plain)
        {
            maxTimestamp = ValidateRecords(plain.WrittenMemory, header, index, position, recordsBefore, keysRequired, timestamps);
            return plain.Length;
        }
    }

    private static HubException Corrupt(int index, int position, string problem) =>
        new(ErrorCode.CorruptMessage, $"{Where(index, position)}: {problem}");

    private static HubException Invalid(int index, int position, string problem) =>
        new(ErrorCode.InvalidRecord, $"{Where(index, position)}: {problem}");

    /// <summary>Kafka's INVALID_TIMESTAMP, with its message's facts: the timestamp, the record, and the range allowed.</summary>
    private static HubException OutOfRange(int index, int position, long record, long timestamp, in TimestampBounds bounds) =>
        new(ErrorCode.InvalidTimestamp, $"{Where(index, position)}: timestamp {timestamp} of record {record} is out of range; " +
            $"the topic's message.timestamp.before.max.ms and after.max.ms allow [{bounds.Earliest}, {bounds.Latest}]");

    private static string Where(int index, int position) => $"batch {index} (at byte {position})";
}
