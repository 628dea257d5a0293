namespace Hub.Silo.Groups;

/// <summary>
/// Writes a reentrant grain's persistent state one write at a time. Interleaved calls may each change the
/// state and ask for a write; concurrent <c>WriteStateAsync</c> calls would race on the ETag, so a caller
/// whose change came while a write was in flight waits for it and then writes once more (one write covers
/// every change made before it started). Call it on the grain's turn, after the change.
/// </summary>
internal sealed class CoalescingStateWriter(Func<Task> write)
{
    private Task? _inFlight;
    private bool _dirty;

    /// <summary>Completes when a write that started after this call's change has finished.</summary>
    public async Task WriteAsync()
    {
        _dirty = true;
        while (true)
        {
            if (_inFlight is { IsCompleted: false } inFlight)
            {
                await Task.WhenAny(inFlight); // its failure is its caller's to report
                continue;
            }
            if (!_dirty) return; // a write that began after our change has succeeded
            _dirty = false;
            var current = write();
            _inFlight = current;
            try
            {
                await current;
                return;
            }
            catch
            {
                _dirty = true; // changes it carried are not stored: whoever writes next must write again
                throw;
            }
        }
    }

    /// <summary>Waits until no write is in flight (before clearing the state, say).</summary>
    public async Task DrainAsync()
    {
        while (_inFlight is { IsCompleted: false } inFlight) await Task.WhenAny(inFlight);
        _dirty = false;
    }
}
