# kafka-python (Debian's python3-kafka 2.0.2, its own protocol code) produces one record over SASL_SSL:
#   produce.py BOOTSTRAP CA_FILE MECHANISM USER PASSWORD TOPIC VALUE
# It authenticates with SaslHandshake v0 and bare SASL tokens, unlike librdkafka and kafkajs. Exit 0 once acknowledged.
import sys
from kafka import KafkaProducer

bootstrap, ca_file, mechanism, user, password, topic, value = sys.argv[1:8]
producer = KafkaProducer(
    bootstrap_servers=bootstrap, security_protocol='SASL_SSL', ssl_cafile=ca_file, ssl_check_hostname=True,
    sasl_mechanism=mechanism, sasl_plain_username=user, sasl_plain_password=password,
    # Without it kafka-python probes the broker's version with requests Hub doesn't answer in the way it expects.
    api_version=(2, 5, 0), request_timeout_ms=15000, max_block_ms=15000)
producer.send(topic, value.encode()).get(timeout=15)
producer.close(timeout=5)
