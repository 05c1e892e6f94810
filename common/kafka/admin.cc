#include "common/kafka/admin.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/kafka/client_conf.h"
#include "common/kafka/watermarks.h"
#include "common/log/log.h"

namespace infobus::kafka {
namespace {

// librdkafka's C log callback, into the infobus log (syslog levels: 3 error, 4 warning).
void LogToInfobus(const rd_kafka_t* /*client*/, int level, const char* facility, const char* text) {
  if (level <= 3) {
    INFOBUS_LOG(Error) << "kafka admin " << facility << ": " << text;
  } else if (level <= 4) {
    INFOBUS_LOG(Warning) << "kafka admin " << facility << ": " << text;
  } else {
    INFOBUS_LOG(Debug) << "kafka admin " << facility << ": " << text;
  }
}

using ClientPtr = std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)>;

absl::StatusOr<ClientPtr> NewAdminClient(const std::string& bootstrap_servers) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, &LogToInfobus);
  // The process's security too: an admin client is a client like any other.
  for (const auto& [key, value] : WithProcessDefaults({{"bootstrap.servers", bootstrap_servers}})) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof(error)) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError(absl::StrCat("admin client setting ", key, ": ", error));
    }
  }
  ClientPtr client(rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error)), &rd_kafka_destroy);
  if (!client) return absl::InternalError(absl::StrCat("admin client: ", error));
  return client;
}

}  // namespace

absl::StatusOr<int> PartitionCount(const std::string& bootstrap_servers, const std::string& topic,
                                   absl::Duration timeout) {
  auto client = NewAdminClient(bootstrap_servers);
  if (!client.ok()) return client.status();
  std::unique_ptr<rd_kafka_topic_t, decltype(&rd_kafka_topic_destroy)> handle(
      rd_kafka_topic_new(client->get(), topic.c_str(), nullptr), &rd_kafka_topic_destroy);
  const absl::Time deadline = absl::Now() + timeout;
  std::string why;
  // A topic created a moment ago may not be in the metadata yet.
  while (true) {
    const rd_kafka_metadata_t* metadata = nullptr;
    const int wait_ms =
        static_cast<int>(std::max<int64_t>(1, absl::ToInt64Milliseconds(deadline - absl::Now())));
    rd_kafka_resp_err_t code =
        rd_kafka_metadata(client->get(), 0, handle.get(), &metadata, std::min(wait_ms, 5000));
    if (code == RD_KAFKA_RESP_ERR_NO_ERROR && metadata->topic_cnt == 1) {
      code = metadata->topics[0].err;
      const int count = metadata->topics[0].partition_cnt;
      rd_kafka_metadata_destroy(metadata);
      if (code == RD_KAFKA_RESP_ERR_NO_ERROR && count > 0) return count;
    } else if (metadata != nullptr) {
      rd_kafka_metadata_destroy(metadata);
    }
    why = rd_kafka_err2str(code);
    if (absl::Now() >= deadline) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  return absl::UnavailableError(absl::StrCat("topic ", topic, ": no partitions known (", why, ")"));
}

absl::Status EnsureTopics(const std::string& bootstrap_servers,
                          const std::vector<TopicSpec>& topics, absl::Duration timeout) {
  if (topics.empty()) return absl::OkStatus();
  char error[512];
  auto client = NewAdminClient(bootstrap_servers);
  if (!client.ok()) return client.status();

  std::vector<rd_kafka_NewTopic_t*> new_topics;
  for (const TopicSpec& spec : topics) {
    rd_kafka_NewTopic_t* topic = rd_kafka_NewTopic_new(
        spec.name.c_str(), spec.partitions, spec.replication_factor, error, sizeof(error));
    if (topic == nullptr) {
      rd_kafka_NewTopic_destroy_array(new_topics.data(), new_topics.size());
      return absl::InvalidArgumentError(absl::StrCat("topic ", spec.name, ": ", error));
    }
    for (const auto& [key, value] : spec.configs) {
      rd_kafka_NewTopic_set_config(topic, key.c_str(), value.c_str());
    }
    new_topics.push_back(topic);
  }

  const int timeout_ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  rd_kafka_AdminOptions_t* options =
      rd_kafka_AdminOptions_new(client->get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_request_timeout(options, timeout_ms, error, sizeof(error));
  rd_kafka_queue_t* queue = rd_kafka_queue_new(client->get());
  rd_kafka_CreateTopics(client->get(), new_topics.data(), new_topics.size(), options, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, timeout_ms + 2000);

  absl::Status status;
  if (event == nullptr) {
    status = absl::UnavailableError(
        absl::StrCat("no answer from Kafka at ", bootstrap_servers, " to create topics"));
  } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status =
        absl::UnavailableError(absl::StrCat("create topics: ", rd_kafka_event_error_string(event)));
  } else {
    const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event);
    size_t count = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
    for (size_t i = 0; i < count && status.ok(); ++i) {
      rd_kafka_resp_err_t code = rd_kafka_topic_result_error(results[i]);
      if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        const char* message = rd_kafka_topic_result_error_string(results[i]);
        status = absl::UnavailableError(absl::StrCat("create topic ",
                                                     rd_kafka_topic_result_name(results[i]), ": ",
                                                     message ? message : rd_kafka_err2str(code)));
      }
    }
  }
  if (event != nullptr) rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(queue);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_NewTopic_destroy_array(new_topics.data(), new_topics.size());
  return status;
}

}  // namespace infobus::kafka

namespace infobus::kafka {

absl::StatusOr<std::unique_ptr<Watermarks>> Watermarks::Create(
    const std::string& bootstrap_servers) {
  auto client = NewAdminClient(bootstrap_servers);
  if (!client.ok()) return client.status();
  return std::unique_ptr<Watermarks>(new Watermarks(client->release()));
}

Watermarks::~Watermarks() { rd_kafka_destroy(client_); }

absl::StatusOr<int64_t> Watermarks::EndOffset(const std::string& topic, int32_t partition,
                                              absl::Duration timeout) const {
  return QueryEndOffset(client_, topic, partition, timeout);
}

}  // namespace infobus::kafka
