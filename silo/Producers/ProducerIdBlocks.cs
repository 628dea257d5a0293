using Hub.Silo.Grains;

namespace Hub.Silo.Producers;

/// <summary>
/// Hands out producer ids from blocks reserved durably: the end of the next block is stored before any id of it
/// is handed out, so a restarted or second activation reads a reservation at or past every id handed out and
/// continues after it (the unused rest of a block is wasted, never repeated). Two activations that read the same
/// reservation race for the next block: the storage's ETag check lets one write win, the other's throws.
/// <para>
/// After any failed write this instance hands out nothing more: the write may have landed (its ETag is then stale)
/// or may not, so its view of the reservation can't be trusted. The grain ends its activation and the next one
/// reads the store afresh. Not thread-safe: the grain's turns call it one at a time.
/// </para>
/// </summary>
internal sealed class ProducerIdBlocks(IPersistentState<ProducerIdState> state)
{
    /// <summary>Ids reserved per durable write: one write per thousand producers, at most that many wasted per activation.</summary>
    public const long BlockSize = 1000;

    private long _next = state.State.ReservedUntil;
    private long _blockEnd = state.State.ReservedUntil;
    private Exception? _failed;

    public async Task<long> Allocate()
    {
        if (_failed is not null)
            throw new InvalidOperationException("an earlier reservation of producer ids could not be stored", _failed);
        if (_next == _blockEnd)
        {
            var reservedUntil = _blockEnd + BlockSize;
            state.State.ReservedUntil = reservedUntil;
            try
            {
                await state.WriteStateAsync();
            }
            catch (Exception e)
            {
                _failed = e;
                throw;
            }
            _blockEnd = reservedUntil;
        }
        return _next++;
    }
}
