# kafka-python (Debian's python3-kafka 2.0.2, its own protocol code: Fetch v4, the v1-v3 group APIs) in a consumer group:
#   group.py BOOTSTRAP TOPIC GROUP
# Produces ten records over the topic's two partitions, then two members of GROUP in turn, each reading and committing
# (synchronously) as it goes; the second must resume where the first committed. Prints one JSON result.
import json
import sys
from kafka import KafkaConsumer, KafkaProducer, OffsetAndMetadata, TopicPartition

bootstrap, topic, group = sys.argv[1:4]
# Without a fixed api_version kafka-python probes the broker with requests Hub doesn't answer the way it expects.
common = dict(bootstrap_servers=bootstrap, api_version=(2, 5, 0), request_timeout_ms=15000)

producer = KafkaProducer(acks='all', max_block_ms=15000, **common)
for i in range(10):
    producer.send(topic, key=b'k%d' % i, value=b'v%d' % i, partition=i % 2).get(timeout=15)
producer.close(timeout=5)


def consume(count):
    consumer = KafkaConsumer(topic, group_id=group, enable_auto_commit=False, auto_offset_reset='earliest',
                             consumer_timeout_ms=20000, session_timeout_ms=10000, heartbeat_interval_ms=1000, **common)
    seen = []
    try:
        for message in consumer:
            seen.append({'partition': message.partition, 'offset': message.offset, 'value': message.value.decode()})
            consumer.commit({TopicPartition(topic, message.partition): OffsetAndMetadata(message.offset + 1, None)})
            if len(seen) == count:
                break
    finally:
        consumer.close(autocommit=False)
    return seen


print(json.dumps({'first': consume(6), 'second': consume(4)}))
