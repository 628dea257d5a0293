using System.Buffers;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Cloning;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.Serializers;
using Orleans.Serialization.WireProtocol;

namespace Hub.Partitions;

/// <summary>
/// Writes <see cref="PooledBatches"/> as length-prefixed bytes, returning an owned buffer to the pool once
/// written; reads them into a buffer rented for the receiver, who owns it.
/// </summary>
[RegisterSerializer]
public sealed class PooledBatchesCodec : IFieldCodec<PooledBatches>
{
    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, PooledBatches? value)
        where TBufferWriter : IBufferWriter<byte>
    {
        if (ReferenceCodec.TryWriteReferenceField(ref writer, fieldIdDelta, expectedType, value)) return;
        writer.WriteFieldHeader(fieldIdDelta, expectedType, typeof(PooledBatches), WireType.LengthPrefixed);
        var bytes = value!.Span;
        writer.WriteVarUInt32((uint)bytes.Length);
        writer.Write(bytes);
        value.Dispose();
    }

    public PooledBatches? ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        if (field.WireType == WireType.Reference) return ReferenceCodec.ReadReference<PooledBatches, TInput>(ref reader, field);
        field.EnsureWireType(WireType.LengthPrefixed);
        var length = reader.ReadVarUInt32();
        // Before renting: a corrupt length must not make us rent more than the message holds.
        reader.EnsureAvailable(length);
        var result = PooledBatches.Rent((int)length);
        reader.ReadBytes(result.Writable.Span);
        ReferenceCodec.RecordObject(reader.Session, result);
        return result;
    }
}

/// <summary>No copy: the bytes are never changed once handed over (see <see cref="PooledBatches"/>).</summary>
[RegisterCopier]
public sealed class PooledBatchesCopier : IDeepCopier<PooledBatches>, IOptionalDeepCopier
{
    public PooledBatches? DeepCopy(PooledBatches? input, CopyContext context) => input;

    public bool IsShallowCopyable() => true;
}
