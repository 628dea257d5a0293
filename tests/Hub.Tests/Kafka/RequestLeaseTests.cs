using System.Buffers;
using Hub.Silo.Kafka.Apis;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Transport;

namespace Hub.Tests.Kafka;

/// <summary>Who owns a request frame: the connection's lease, a handler's loans, and the dispatch that hands them out.</summary>
public sealed class RequestLeaseTests
{
    private static readonly byte[] Bytes = [1, 2, 3, 4, 5, 6, 7, 8, 9];

    [Fact]
    public void The_frame_is_released_once_the_lease_is_disposed_when_nothing_was_lent()
    {
        var lease = RequestLease.CopyOf(new ReadOnlySequence<byte>(Bytes));
        Assert.Equal(Bytes, lease.Memory.ToArray());
        lease.Dispose();
        Assert.Throws<ObjectDisposedException>(() => lease.Memory);
    }

    [Fact]
    public void A_loan_keeps_the_bytes_valid_past_the_lease_until_it_is_disposed()
    {
        var lease = RequestLease.CopyOf(new ReadOnlySequence<byte>(Bytes));
        var first = lease.Lend();
        var second = lease.Lend();
        lease.Dispose();
        first.Dispose();
        Assert.Equal(Bytes, lease.Memory.ToArray()); // the second call has not answered yet
        second.Dispose();
        Assert.Throws<ObjectDisposedException>(() => lease.Memory);
    }

    [Fact]
    public void A_loan_never_disposed_keeps_the_frame_out_of_the_pool()
    {
        var lease = RequestLease.CopyOf(new ReadOnlySequence<byte>(Bytes));
        _ = lease.Lend(); // a call that gave up without an answer
        lease.Dispose();
        Assert.Equal(Bytes, lease.Memory.ToArray());
    }

    [Fact]
    public void Disposing_twice_is_a_bug_that_throws_rather_than_returning_the_array_twice()
    {
        var lease = RequestLease.CopyOf(new ReadOnlySequence<byte>(Bytes));
        var loan = lease.Lend();
        loan.Dispose();
        Assert.Throws<ObjectDisposedException>(loan.Dispose);
        lease.Dispose();
        Assert.Throws<ObjectDisposedException>(lease.Dispose);
        Assert.Throws<ObjectDisposedException>(() => lease.Lend());
    }

    [Fact]
    public async Task Dispatch_hands_the_handler_the_body_after_the_header_and_a_loan_on_the_frame()
    {
        var handler = new LendingApi();
        var apis = new KafkaApis([handler]);
        // Produce v3 (not flexible): key 0, version 3, correlation 9, client id "c", then a 3-byte body.
        var lease = RequestLease.CopyOf(new ReadOnlySequence<byte>(Convert.FromHexString("0000" + "0003" + "00000009" + "000163" + "0A0B0C")));
        using var response = new ProtocolWriter();
        Assert.True((await apis.HandleAsync(lease, null, response, default)).Respond);
        lease.Dispose();

        Assert.Equal(new byte[] { 0x0A, 0x0B, 0x0C }, handler.Body.ToArray()); // still lent
        Assert.Equal("c", handler.ClientId);
        // Size prefix (4 + 0 body bytes after it), then the v0 response header: the correlation id.
        Assert.Equal(Convert.FromHexString("00000004" + "00000009"), response.WrittenSpan.ToArray());
        handler.Loan!.Dispose();
        Assert.Throws<ObjectDisposedException>(() => lease.Memory);
    }

    private sealed class LendingApi : IKafkaApi
    {
        public ApiKey Key => ApiKey.Produce;
        public short MinVersion => 3;
        public short MaxVersion => 11;
        public short FirstFlexibleVersion => 9;
        public ReadOnlyMemory<byte> Body { get; private set; }
        public string? ClientId { get; private set; }
        public RequestLease.Loan? Loan { get; private set; }

        public Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
        {
            Loan = request.LendBody();
            Body = request.Body;
            ClientId = request.Header.ClientId;
            return Task.FromResult(true);
        }
    }
}
