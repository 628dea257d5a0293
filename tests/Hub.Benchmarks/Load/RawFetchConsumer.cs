using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Hub.Benchmarks.Load;

/// <summary>
/// A consumer of every partition of one topic speaking Fetch v12 by hand over one connection, with or without a
/// fetch session (KIP-227), counting the bytes each way: the clients' own consumers hide their requests' size.
/// It moves a partition's offset to the high watermark once it returned records (the bench writes little, so one
/// fetch takes all of a partition's records), and in a session sends only the partitions whose offset moved.
/// </summary>
public sealed class RawFetchConsumer : IDisposable
{
    private const short FetchKey = 1;
    private const short FetchVersion = 12;

    /// <summary>Per-partition and response max bytes: far above what the bench writes, so one fetch takes a partition's records.</summary>
    private const int MaxBytes = 1 << 20;

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly string _topic;
    private readonly long[] _offsets;
    private readonly int _maxWaitMs;
    private readonly bool _session;
    private readonly HashSet<int> _moved = [];
    private int _sessionId;
    private int _epoch;
    private int _correlation;

    public long RequestBytes { get; private set; }
    public long ResponseBytes { get; private set; }
    public long Records { get; private set; }

    private RawFetchConsumer(TcpClient tcp, string topic, int partitions, int maxWaitMs, bool session)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _topic = topic;
        _offsets = new long[partitions];
        _maxWaitMs = maxWaitMs;
        _session = session;
        _epoch = session ? 0 : -1; // KIP-227: 0 creates a session, -1 fetches in full without one
    }

    public static async Task<RawFetchConsumer> ConnectAsync(string bootstrap, string topic, int partitions, int maxWaitMs, bool session)
    {
        var (host, port) = (bootstrap[..bootstrap.LastIndexOf(':')], int.Parse(bootstrap[(bootstrap.LastIndexOf(':') + 1)..]));
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(host, port);
        return new RawFetchConsumer(tcp, topic, partitions, maxWaitMs, session);
    }

    /// <summary>One fetch and its response.</summary>
    public async Task FetchAsync()
    {
        var request = Request();
        RequestBytes += request.Length;
        await _stream.WriteAsync(request);
        var size = new byte[4];
        await _stream.ReadExactlyAsync(size);
        var response = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
        await _stream.ReadExactlyAsync(response);
        ResponseBytes += 4 + response.Length;
        Read(response);
    }

    private byte[] Request()
    {
        var w = new Writer();
        w.Int32(0); // frame size, set below
        w.Int16(FetchKey);
        w.Int16(FetchVersion);
        w.Int32(++_correlation);
        w.Int16(-1); // client id: null
        w.UVarint(0); // header tagged fields
        w.Int32(-1); // replica id
        w.Int32(_maxWaitMs);
        w.Int32(1); // min bytes
        w.Int32(MaxBytes);
        w.Int8(0); // read_uncommitted
        w.Int32(_sessionId);
        w.Int32(_epoch);
        // A full fetch names every partition; an incremental one only those whose offset moved.
        var partitions = _epoch <= 0 ? Enumerable.Range(0, _offsets.Length).ToArray() : _moved.Order().ToArray();
        w.UVarint((uint)(partitions.Length == 0 ? 1 : 2));
        if (partitions.Length > 0)
        {
            w.String(_topic);
            w.UVarint((uint)partitions.Length + 1);
            foreach (var partition in partitions)
            {
                w.Int32(partition);
                w.Int32(-1); // current leader epoch: unchecked
                w.Int64(_offsets[partition]);
                w.Int32(-1); // last fetched epoch
                w.Int64(-1); // log start offset
                w.Int32(MaxBytes);
                w.UVarint(0);
            }
            w.UVarint(0);
        }
        w.UVarint(1); // forgotten topics: none
        w.String(""); // rack id
        w.UVarint(0);
        _moved.Clear();
        var bytes = w.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(bytes, bytes.Length - 4);
        return bytes;
    }

    private void Read(byte[] response)
    {
        var r = new Reader(response);
        r.Int32(); // correlation id
        r.SkipTags();
        r.Int32(); // throttle
        var error = r.Int16();
        var sessionId = r.Int32();
        if (error != 0) throw new InvalidOperationException($"Fetch answered error {error}");
        if (_session)
        {
            if (_epoch == 0 && sessionId == 0) throw new InvalidOperationException("the silo created no fetch session");
            _sessionId = sessionId;
            _epoch = _epoch == int.MaxValue ? 1 : _epoch + 1;
        }
        for (var topics = r.UVarint() - 1; topics > 0; topics--)
        {
            r.Skip((int)r.UVarint() - 1); // topic name
            for (var partitions = r.UVarint() - 1; partitions > 0; partitions--)
            {
                var partition = r.Int32();
                var partitionError = r.Int16();
                if (partitionError != 0) throw new InvalidOperationException($"partition {partition} answered error {partitionError}");
                var highWatermark = r.Int64();
                r.Skip(16); // last stable offset, log start offset
                for (var aborted = (int)r.UVarint() - 1; aborted > 0; aborted--)
                {
                    r.Skip(16);
                    r.SkipTags();
                }
                r.Int32(); // preferred read replica
                var records = (int)r.UVarint() - 1;
                r.Skip(Math.Max(records, 0));
                r.SkipTags();
                if (records > 0 && highWatermark > _offsets[partition])
                {
                    Records += highWatermark - _offsets[partition];
                    _offsets[partition] = highWatermark;
                    _moved.Add(partition);
                }
            }
            r.SkipTags();
        }
    }

    public void Dispose() => _tcp.Dispose();

    private sealed class Writer
    {
        private readonly MemoryStream _bytes = new();
        private readonly byte[] _scratch = new byte[8];

        public void Int8(sbyte value) => _bytes.WriteByte((byte)value);
        public void Int16(short value) { BinaryPrimitives.WriteInt16BigEndian(_scratch, value); _bytes.Write(_scratch, 0, 2); }
        public void Int32(int value) { BinaryPrimitives.WriteInt32BigEndian(_scratch, value); _bytes.Write(_scratch, 0, 4); }
        public void Int64(long value) { BinaryPrimitives.WriteInt64BigEndian(_scratch, value); _bytes.Write(_scratch, 0, 8); }

        public void UVarint(uint value)
        {
            while (value >= 0x80)
            {
                _bytes.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            _bytes.WriteByte((byte)value);
        }

        public void String(string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            UVarint((uint)bytes.Length + 1);
            _bytes.Write(bytes);
        }

        public byte[] ToArray() => _bytes.ToArray();
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _at;

        public short Int16() { var v = BinaryPrimitives.ReadInt16BigEndian(_bytes[_at..]); _at += 2; return v; }
        public int Int32() { var v = BinaryPrimitives.ReadInt32BigEndian(_bytes[_at..]); _at += 4; return v; }
        public long Int64() { var v = BinaryPrimitives.ReadInt64BigEndian(_bytes[_at..]); _at += 8; return v; }
        public void Skip(int count) => _at += count;

        public uint UVarint()
        {
            uint value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = _bytes[_at++];
                value |= (uint)(b & 0x7F) << shift;
                if (b < 0x80) return value;
            }
        }

        public void SkipTags()
        {
            for (var tags = UVarint(); tags > 0; tags--)
            {
                UVarint();
                Skip((int)UVarint());
            }
        }
    }
}
