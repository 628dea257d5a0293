// Drives Hub with sarama (Debian's golang-github-shopify-sarama-dev 1.22.1, its own protocol code), built in GOPATH mode:
//
//	hubsarama group BOOTSTRAP TOPIC GROUP
//	  Produces ten records over the topic's two partitions, then two members of GROUP in turn, each reading and
//	  marking as it goes (committed when it leaves); the second must resume where the first committed. Prints
//	  {"first": [...], "second": [...]} as tests/python/group.py does.
//	hubsarama roundtrip BOOTSTRAP TOPIC CODEC COUNT
//	  Produces COUNT records to partition 0 compressed with CODEC (none, gzip, snappy, lz4, zstd), reads them back
//	  from the oldest offset and prints {"values": [...]} in the order read.
//
// Every wait is bounded; any failure exits non-zero with the error on stderr.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/Shopify/sarama"
)

// Each step's bound: well inside the test's own, so a stuck step fails with its own message.
const stepTimeout = 20 * time.Second

type consumed struct {
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
	Value     string `json:"value"`
}

func main() {
	if len(os.Args) < 5 {
		log.Fatalf("usage: %s group BOOTSTRAP TOPIC GROUP | roundtrip BOOTSTRAP TOPIC CODEC COUNT", os.Args[0])
	}
	if os.Getenv("HUB_SARAMA_DEBUG") != "" {
		sarama.Logger = log.New(os.Stderr, "[sarama] ", log.LstdFlags)
	}
	mode, bootstrap, topic := os.Args[1], os.Args[2], os.Args[3]
	var result interface{}
	var err error
	switch mode {
	case "group":
		result, err = group(bootstrap, topic, os.Args[4])
	case "roundtrip":
		if len(os.Args) < 6 {
			log.Fatal("roundtrip needs CODEC and COUNT")
		}
		count, convErr := strconv.Atoi(os.Args[5])
		if convErr != nil {
			log.Fatal(convErr)
		}
		result, err = roundTrip(bootstrap, topic, os.Args[4], count)
	default:
		log.Fatalf("unknown mode %q", mode)
	}
	if err != nil {
		log.Fatal(err)
	}
	if err := json.NewEncoder(os.Stdout).Encode(result); err != nil {
		log.Fatal(err)
	}
}

func config() *sarama.Config {
	c := sarama.NewConfig()
	// The newest Kafka this sarama knows, so it uses the newest request versions it has.
	c.Version = sarama.MaxVersion
	c.Net.DialTimeout = stepTimeout
	c.Net.ReadTimeout = stepTimeout
	c.Net.WriteTimeout = stepTimeout
	c.Producer.RequiredAcks = sarama.WaitForAll
	c.Producer.Return.Successes = true
	c.Producer.Partitioner = sarama.NewManualPartitioner
	// sarama's idempotent producer (InitProducerId, sequence numbers) requires one request in flight and a retry.
	c.Producer.Idempotent = true
	c.Net.MaxOpenRequests = 1
	c.Producer.Retry.Max = 3
	c.Consumer.Offsets.Initial = sarama.OffsetOldest
	c.Consumer.Return.Errors = true
	return c
}

func produce(bootstrap string, c *sarama.Config, messages []*sarama.ProducerMessage) error {
	producer, err := sarama.NewSyncProducer([]string{bootstrap}, c)
	if err != nil {
		return fmt.Errorf("producer: %w", err)
	}
	defer producer.Close()
	if err := producer.SendMessages(messages); err != nil {
		return fmt.Errorf("produce: %w", err)
	}
	return nil
}

func group(bootstrap, topic, groupID string) (interface{}, error) {
	var messages []*sarama.ProducerMessage
	for i := 0; i < 10; i++ {
		messages = append(messages, &sarama.ProducerMessage{Topic: topic, Partition: int32(i % 2),
			Key: sarama.StringEncoder(fmt.Sprintf("k%d", i)), Value: sarama.StringEncoder(fmt.Sprintf("v%d", i))})
	}
	if err := produce(bootstrap, config(), messages); err != nil {
		return nil, err
	}
	first, err := consumeInGroup(bootstrap, topic, groupID, 6)
	if err != nil {
		return nil, fmt.Errorf("first member: %w", err)
	}
	second, err := consumeInGroup(bootstrap, topic, groupID, 4)
	if err != nil {
		return nil, fmt.Errorf("second member: %w", err)
	}
	return map[string][]consumed{"first": first, "second": second}, nil
}

// A member of the group that reads until it has count records, marking each; leaving the group commits what it marked.
type member struct {
	count  int
	mu     sync.Mutex
	seen   []consumed
	cancel context.CancelFunc
}

func (m *member) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (m *member) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (m *member) ConsumeClaim(session sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for message := range claim.Messages() {
		m.mu.Lock()
		// Past count, records are neither kept nor marked: they are the next member's.
		if len(m.seen) < m.count {
			m.seen = append(m.seen, consumed{message.Partition, message.Offset, string(message.Value)})
			session.MarkMessage(message, "")
			if len(m.seen) == m.count {
				m.cancel()
			}
		}
		m.mu.Unlock()
	}
	return nil
}

func consumeInGroup(bootstrap, topic, groupID string, count int) ([]consumed, error) {
	consumerGroup, err := sarama.NewConsumerGroup([]string{bootstrap}, groupID, config())
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	m := &member{count: count, cancel: cancel}
	go func() {
		for err := range consumerGroup.Errors() {
			log.Printf("consumer group error: %v", err)
		}
	}()
	// Consume returns at each rebalance; it is called again until the member has its records or the bound passes.
	for ctx.Err() == nil {
		if err := consumerGroup.Consume(ctx, []string{topic}, m); err != nil {
			consumerGroup.Close()
			return nil, err
		}
	}
	// Close commits the marked offsets before the next member joins.
	if err := consumerGroup.Close(); err != nil {
		return nil, fmt.Errorf("close: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.seen) != count {
		return nil, fmt.Errorf("read %d of %d records within %v", len(m.seen), count, stepTimeout)
	}
	return m.seen, nil
}

var codecs = map[string]sarama.CompressionCodec{
	"none": sarama.CompressionNone, "gzip": sarama.CompressionGZIP, "snappy": sarama.CompressionSnappy,
	"lz4": sarama.CompressionLZ4, "zstd": sarama.CompressionZSTD,
}

func roundTrip(bootstrap, topic, codecName string, count int) (interface{}, error) {
	codec, ok := codecs[codecName]
	if !ok {
		return nil, fmt.Errorf("unknown codec %q", codecName)
	}
	c := config()
	c.Producer.Compression = codec
	var messages []*sarama.ProducerMessage
	for i := 0; i < count; i++ {
		messages = append(messages, &sarama.ProducerMessage{Topic: topic, Partition: 0, Value: sarama.StringEncoder(fmt.Sprintf("value-%d", i))})
	}
	if err := produce(bootstrap, c, messages); err != nil {
		return nil, err
	}

	consumer, err := sarama.NewConsumer([]string{bootstrap}, config())
	if err != nil {
		return nil, fmt.Errorf("consumer: %w", err)
	}
	defer consumer.Close()
	partition, err := consumer.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		return nil, fmt.Errorf("consume partition: %w", err)
	}
	defer partition.Close()
	var values []string
	deadline := time.After(stepTimeout)
	for len(values) < count {
		select {
		case message := <-partition.Messages():
			values = append(values, string(message.Value))
		case err := <-partition.Errors():
			return nil, fmt.Errorf("fetch: %w", err)
		case <-deadline:
			return nil, fmt.Errorf("read %d of %d records within %v", len(values), count, stepTimeout)
		}
	}
	return map[string][]string{"values": values}, nil
}
