using Hub.Errors;
using Hub.Silo.Kafka.Apis.Transactions;

namespace Hub.Tests.Transactions;

/// <summary>The codes the transactional APIs answer: retriable where the coordinator could not be reached, KIP-588's split.</summary>
public sealed class TransactionErrorsTests
{
    [Fact]
    public void A_coordinator_that_could_not_be_reached_is_coordinator_not_available_which_clients_retry()
    {
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, TransactionErrors.For(new SiloUnavailableException("silo gone"), producerFencedKnown: true));
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, TransactionErrors.For(new TimeoutException("no answer"), producerFencedKnown: true));
        Assert.Equal(ErrorCode.ConcurrentTransactions, TransactionErrors.For(new HubException(ErrorCode.ConcurrentTransactions, "busy"), producerFencedKnown: true));
    }

    [Fact]
    public void Producer_fenced_is_invalid_producer_epoch_for_versions_before_kip_588()
    {
        var fenced = new HubException(ErrorCode.ProducerFenced, "fenced");
        Assert.Equal(ErrorCode.ProducerFenced, TransactionErrors.For(fenced, producerFencedKnown: true));
        Assert.Equal(ErrorCode.InvalidProducerEpoch, TransactionErrors.For(fenced, producerFencedKnown: false));
    }
}
