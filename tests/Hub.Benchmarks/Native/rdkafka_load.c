/*
 * rdkafka_load: produce or consume load through librdkafka's C API, for the benchmark suite's kafka scenario.
 * Confluent.Kafka's .NET layer spends several times the silo's CPU per record, so on two shared cores it, not
 * Hub, set the pace; this driver shows what a native librdkafka application gets. bench.sh builds it with gcc
 * into a temporary directory, against the librdkafka Confluent.Kafka itself loads (NuGet's librdkafka.redist:
 * headers and library), so the C and .NET rows differ only in the layer above it. Load/NativeKafkaLoad.cs runs it.
 *
 *   rdkafka_load produce BOOTSTRAP TOPIC RECORDS SIZE [CODEC [PAYLOADS]]
 *   rdkafka_load consume BOOTSTRAP TOPIC PARTITIONS RECORDS
 *
 * CODEC is librdkafka's compression.codec (none by default). PAYLOADS is a file of SIZE-byte values one after
 * another, sent in turn (the compression scenario's JSON-like text); without it every record is one random value.
 *
 * Stdout protocol: "start" once set up (connected, metadata known), "done RECORDS BYTES SECONDS RECORDS/S" when
 * every record is acknowledged (produce) or read (consume). The driver then waits for stdin to close before
 * it exits, so the caller reads its CPU time from /proc/<pid>/stat with the work done and nothing more.
 * Errors go to stderr with exit code 1.
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die(const char *what, const char *why) {
  fprintf(stderr, "rdkafka_load: %s: %s\n", what, why);
  exit(1);
}

static void set(rd_kafka_conf_t *conf, const char *name, const char *value) {
  char error[512];
  if (rd_kafka_conf_set(conf, name, value, error, sizeof error) != RD_KAFKA_CONF_OK) die(name, error);
}

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

/* A fatal client error (e.g. the broker refusing the configuration) ends the run instead of hanging it. */
static void on_error(rd_kafka_t *rk, int error, const char *reason, void *opaque) {
  (void)opaque;
  if (error == RD_KAFKA_RESP_ERR__FATAL || error == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
    die(rd_kafka_err2name(error), reason);
  fprintf(stderr, "rdkafka_load: %s: %s (%s)\n", rd_kafka_err2name(error), reason, rd_kafka_name(rk));
}

static long failed_deliveries;

/* Called for failed records only (delivery.report.only.error): a successful one costs no report at all. */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
  (void)rk, (void)opaque;
  if (message->err && failed_deliveries++ == 0) fprintf(stderr, "rdkafka_load: delivery failed: %s\n", rd_kafka_err2str(message->err));
}

static rd_kafka_t *client(rd_kafka_type_t type, rd_kafka_conf_t *conf, const char *bootstrap, const char *topic) {
  char error[512];
  set(conf, "bootstrap.servers", bootstrap);
  rd_kafka_conf_set_error_cb(conf, on_error);
  rd_kafka_t *rk = rd_kafka_new(type, conf, error, sizeof error);
  if (!rk) die("rd_kafka_new", error);
  /* Connect and learn the topic's partitions before the clock starts, as a long-running application would have. */
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
  const struct rd_kafka_metadata *metadata;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &metadata, 10000);
  if (err) die("metadata", rd_kafka_err2str(err));
  rd_kafka_metadata_destroy(metadata);
  rd_kafka_topic_destroy(rkt);
  return rk;
}

static void report(long records, long bytes, double started) {
  double seconds = now_seconds() - started;
  printf("done %ld %ld %.3f %.0f\n", records, bytes, seconds, records / seconds);
  fflush(stdout);
}

static void produce(const char *bootstrap, const char *topic, long records, int size, const char *codec, const char *payloads) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* The suite's high-throughput settings, as Load/KafkaLoad.cs gives Confluent.Kafka: linger 5 ms, batches up to
   * 1 MiB, a local queue deep enough for about a second, acks from all replicas, idempotence off (librdkafka's
   * default). */
  set(conf, "acks", "all");
  set(conf, "enable.idempotence", "false");
  set(conf, "linger.ms", "5");
  set(conf, "batch.size", "1048576");
  set(conf, "queue.buffering.max.messages", "1000000");
  set(conf, "queue.buffering.max.kbytes", "262144");
  set(conf, "delivery.report.only.error", "true");
  set(conf, "compression.codec", codec);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, conf, bootstrap, topic);
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);

  /* The payloads, never freed: with no RD_KAFKA_MSG_F_COPY librdkafka keeps the pointer and copies the bytes once,
   * into the request it builds. */
  long count = 1;
  char *payload;
  if (payloads) {
    FILE *file = fopen(payloads, "rb");
    if (!file) die("payloads", payloads);
    fseek(file, 0, SEEK_END);
    count = ftell(file) / size;
    rewind(file);
    if (count < 1) die("payloads", "the file holds no whole value");
    payload = malloc(count * size);
    if (fread(payload, size, count, file) != (size_t)count) die("payloads", "short read");
    fclose(file);
  } else {
    payload = malloc(size);
    for (int i = 0; i < size; i++) payload[i] = (char)rand();
  }

  printf("start\n");
  fflush(stdout);
  double started = now_seconds();
  for (long sent = 0; sent < records; sent++) {
    while (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, 0, payload + (sent % count) * size, size, NULL, 0, NULL) == -1) {
      if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) die("produce", rd_kafka_err2str(rd_kafka_last_error()));
      rd_kafka_poll(rk, 1); /* the local queue is full: wait for acknowledgements to free it */
    }
  }
  rd_kafka_resp_err_t err = rd_kafka_flush(rk, 5 * 60 * 1000);
  if (err) die("flush", rd_kafka_err2str(err));
  if (failed_deliveries) die("produce", "some records were not delivered");
  report(records, records * size, started);
  rd_kafka_topic_destroy(rkt);
  /* Left to the exit: rd_kafka_destroy would add its shutdown to the CPU the caller reads. */
}

static void consume(const char *bootstrap, const char *topic, int partitions, long records) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "group.id", "hub-benchmarks"); /* required by the consumer API; assign() never joins the group */
  set(conf, "enable.auto.commit", "false");
  /* Large fetches, as Load/KafkaLoad.cs: up to 64 MiB per request, 8 MiB per partition, 256 MiB prefetched. */
  set(conf, "fetch.max.bytes", "67108864");
  set(conf, "max.partition.fetch.bytes", "8388608");
  set(conf, "queued.max.messages.kbytes", "262144");
  /* librdkafka stops fetching a partition once its prefetch queue holds queued.min.messages records (100,000
   * per partition) or queued.max.messages.kbytes, and waits fetch.queue.backoff.ms (1 s) before it looks again:
   * a loop that drains the queue faster than the fetches fill it then idles. 10 ms keeps the fetches going. */
  set(conf, "fetch.queue.backoff.ms", "10");
  rd_kafka_t *rk = client(RD_KAFKA_CONSUMER, conf, bootstrap, topic);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(rk);

  printf("start\n");
  fflush(stdout);
  double started = now_seconds();
  rd_kafka_topic_partition_list_t *assignment = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; p++)
    rd_kafka_topic_partition_list_add(assignment, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_resp_err_t err = rd_kafka_assign(rk, assignment);
  if (err) die("assign", rd_kafka_err2str(err));
  rd_kafka_topic_partition_list_destroy(assignment);

  /* Records are taken from the queue in batches: one lock and wake-up per batch instead of per record. */
  static rd_kafka_message_t *batch[10000];
  long consumed = 0, bytes = 0;
  double deadline = started + 5 * 60;
  while (consumed < records) {
    if (now_seconds() > deadline) die("consume", "not every record arrived within 5 minutes");
    ssize_t n = rd_kafka_consume_batch_queue(queue, 1000, batch, sizeof batch / sizeof batch[0]);
    if (n < 0) die("consume", rd_kafka_err2str(rd_kafka_last_error()));
    for (ssize_t i = 0; i < n; i++) {
      if (batch[i]->err) {
        if (batch[i]->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) die("consume", rd_kafka_message_errstr(batch[i]));
      } else {
        consumed++;
        bytes += batch[i]->len;
      }
      rd_kafka_message_destroy(batch[i]);
    }
  }
  report(consumed, bytes, started);
  rd_kafka_queue_destroy(queue);
}

int main(int argc, char **argv) {
  if (argc >= 6 && argc <= 8 && strcmp(argv[1], "produce") == 0)
    produce(argv[2], argv[3], atol(argv[4]), atoi(argv[5]), argc > 6 ? argv[6] : "none", argc > 7 ? argv[7] : NULL);
  else if (argc == 6 && strcmp(argv[1], "consume") == 0)
    consume(argv[2], argv[3], atoi(argv[4]), atol(argv[5]));
  else
    die("usage", "rdkafka_load produce BOOTSTRAP TOPIC RECORDS SIZE [CODEC [PAYLOADS]] | consume BOOTSTRAP TOPIC PARTITIONS RECORDS");
  /* Hold on until the caller has read this process' CPU time (it closes stdin). */
  while (getchar() != EOF) {
  }
  return 0;
}
