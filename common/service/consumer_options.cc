#include "common/service/consumer_options.h"

#include "common/kafka/topics.h"

namespace infobus {

ConsumerOptions ConsumerOptionsFrom(const Config& config) {
  ConsumerOptions options;
  const std::string& prefix = config.GetString("kafka.topic_prefix");
  options.loop.bootstrap_servers = config.GetString("kafka.bootstrap_servers");
  options.loop.group_id = prefix + config.GetString("kafka.group_id");
  options.loop.group_instance_id = config.GetString("kafka.group_instance_id");
  options.loop.dead_letter_topic = kafka::Topics(prefix).dead_letters;
  options.loop.max_batch = static_cast<int>(config.GetInt("kafka.max_batch"));
  options.loop.session_timeout = config.GetDuration("kafka.session_timeout");
  options.stall_after = config.GetDuration("health.consumer_stall");
  return options;
}

}  // namespace infobus
