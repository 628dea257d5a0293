# kafka-python (Debian's python3-kafka 2.0.2, its own protocol code) sets one topic config with AlterConfigs (v1, the
# newest it speaks) and reads it back with DescribeConfigs, over PLAINTEXT:
#   alter_configs.py BOOTSTRAP TOPIC NAME VALUE
# Prints "altered ERROR_CODE" and then "described VALUE".
import sys
from kafka.admin import KafkaAdminClient, ConfigResource, ConfigResourceType

bootstrap, topic, name, value = sys.argv[1:5]
# Without api_version kafka-python probes the broker's version with requests Hub doesn't answer in the way it expects.
admin = KafkaAdminClient(bootstrap_servers=bootstrap, api_version=(2, 5, 0), request_timeout_ms=15000)
altered = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={name: value})])
print('altered', altered.resources[0][0])
described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
print('described', next(entry[1] for entry in described[0].resources[0][4] if entry[0] == name))
admin.close()
