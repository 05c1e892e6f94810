#include "tools/kafka_acls/acl_sync.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/kafka/client_conf.h"

namespace infobus::kafka_acls {
namespace {

using ClientPtr = std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, decltype(&rd_kafka_queue_destroy)>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, decltype(&rd_kafka_event_destroy)>;
using OptionsPtr =
    std::unique_ptr<rd_kafka_AdminOptions_t, decltype(&rd_kafka_AdminOptions_destroy)>;

const std::map<std::string, rd_kafka_AclOperation_t>& Operations() {
  static const auto* operations = new std::map<std::string, rd_kafka_AclOperation_t>{
      {"all", RD_KAFKA_ACL_OPERATION_ALL},
      {"read", RD_KAFKA_ACL_OPERATION_READ},
      {"write", RD_KAFKA_ACL_OPERATION_WRITE},
      {"create", RD_KAFKA_ACL_OPERATION_CREATE},
      {"delete", RD_KAFKA_ACL_OPERATION_DELETE},
      {"alter", RD_KAFKA_ACL_OPERATION_ALTER},
      {"describe", RD_KAFKA_ACL_OPERATION_DESCRIBE},
      {"describe_configs", RD_KAFKA_ACL_OPERATION_DESCRIBE_CONFIGS},
      {"alter_configs", RD_KAFKA_ACL_OPERATION_ALTER_CONFIGS},
  };
  return *operations;
}

// A broker ACL as a file entry; an empty `resource` for what the file cannot express.
AclEntry FromBinding(const rd_kafka_AclBinding_t* binding) {
  AclEntry entry;
  entry.principal = rd_kafka_AclBinding_principal(binding);
  switch (rd_kafka_AclBinding_restype(binding)) {
    case RD_KAFKA_RESOURCE_TOPIC:
      entry.resource = "topic";
      break;
    case RD_KAFKA_RESOURCE_GROUP:
      entry.resource = "group";
      break;
    default:
      entry.resource = rd_kafka_ResourceType_name(rd_kafka_AclBinding_restype(binding));
  }
  entry.name = rd_kafka_AclBinding_name(binding);
  switch (rd_kafka_AclBinding_resource_pattern_type(binding)) {
    case RD_KAFKA_RESOURCE_PATTERN_LITERAL:
      entry.pattern = "literal";
      break;
    case RD_KAFKA_RESOURCE_PATTERN_PREFIXED:
      entry.pattern = "prefixed";
      break;
    default:
      entry.pattern = "?";
  }
  entry.operation = "?";
  for (const auto& [name, code] : Operations()) {
    if (code == rd_kafka_AclBinding_operation(binding)) entry.operation = name;
  }
  entry.permission =
      rd_kafka_AclBinding_permission_type(binding) == RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW ? "allow"
                                                                                         : "deny";
  // Only ACLs for any host are ours: one for a single host is never equal to a file entry.
  if (std::string(rd_kafka_AclBinding_host(binding)) != "*") entry.principal += "@host";
  return entry;
}

rd_kafka_ResourceType_t ResourceType(const std::string& resource) {
  return resource == "topic" ? RD_KAFKA_RESOURCE_TOPIC : RD_KAFKA_RESOURCE_GROUP;
}

// One ACL's failure: PERMISSION_DENIED when the broker refused the client, else UNAVAILABLE.
absl::Status AclError(const std::string& what, const rd_kafka_error_t* error) {
  const std::string message = absl::StrCat(what, ": ", rd_kafka_error_string(error));
  if (rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED) {
    return absl::PermissionDeniedError(
        absl::StrCat(message, " (the client must be a super user, e.g. admin)"));
  }
  return absl::UnavailableError(message);
}

// The result event of one admin request, or why there is none.
absl::StatusOr<EventPtr> Await(rd_kafka_queue_t* queue, absl::Duration timeout,
                               const std::string& what) {
  EventPtr event(
      rd_kafka_queue_poll(queue, static_cast<int>(absl::ToInt64Milliseconds(timeout)) + 2000),
      &rd_kafka_event_destroy);
  if (!event) return absl::UnavailableError(absl::StrCat("no answer from Kafka to ", what));
  const rd_kafka_resp_err_t code = rd_kafka_event_error(event.get());
  if (code == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED) {
    return absl::PermissionDeniedError(
        absl::StrCat(what, ": ", rd_kafka_event_error_string(event.get()),
                     " (the client must be a super user, e.g. admin)"));
  }
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat(what, ": ", rd_kafka_event_error_string(event.get())));
  }
  return event;
}

// Waits for the answer to a CreateAcls or DeleteAcls request (`verb` "create" or "delete"): OK,
// or its first failure, naming the ACL. `results_of` gives the answer's per-ACL results, in the
// order of `entries`; `error_of` one result's error (null: done).
template <typename Result, typename ResultsOf>
absl::Status AwaitEach(rd_kafka_queue_t* queue, absl::Duration timeout, const std::string& verb,
                       const std::vector<AclEntry>& entries, ResultsOf results_of,
                       const rd_kafka_error_t* (*error_of)(const Result*)) {
  auto event = Await(queue, timeout, verb + " ACLs");
  if (!event.ok()) return event.status();
  size_t count = 0;
  const Result** results = results_of(event->get(), &count);
  for (size_t i = 0; i < count; ++i) {
    if (const rd_kafka_error_t* failed = error_of(results[i])) {
      return AclError(absl::StrCat(verb, " ", entries[i].ToString()), failed);
    }
  }
  return absl::OkStatus();
}

OptionsPtr Options(rd_kafka_t* client, rd_kafka_admin_op_t op, absl::Duration timeout) {
  char error[256];
  OptionsPtr options(rd_kafka_AdminOptions_new(client, op), &rd_kafka_AdminOptions_destroy);
  rd_kafka_AdminOptions_set_request_timeout(
      options.get(), static_cast<int>(absl::ToInt64Milliseconds(timeout)), error, sizeof(error));
  return options;
}

absl::StatusOr<std::vector<AclEntry>> DescribeAll(rd_kafka_t* client, rd_kafka_queue_t* queue,
                                                  absl::Duration timeout,
                                                  std::vector<rd_kafka_AclBinding_t*>* raw) {
  char error[512];
  std::unique_ptr<rd_kafka_AclBindingFilter_t, decltype(&rd_kafka_AclBinding_destroy)> filter(
      rd_kafka_AclBindingFilter_new(RD_KAFKA_RESOURCE_ANY, nullptr, RD_KAFKA_RESOURCE_PATTERN_ANY,
                                    nullptr, nullptr, RD_KAFKA_ACL_OPERATION_ANY,
                                    RD_KAFKA_ACL_PERMISSION_TYPE_ANY, error, sizeof(error)),
      &rd_kafka_AclBinding_destroy);
  if (!filter) return absl::InternalError(error);
  rd_kafka_DescribeAcls(client, filter.get(),
                        Options(client, RD_KAFKA_ADMIN_OP_DESCRIBEACLS, timeout).get(), queue);
  auto event = Await(queue, timeout, "describe ACLs");
  if (!event.ok()) return event.status();
  size_t count = 0;
  const rd_kafka_AclBinding_t** bindings =
      rd_kafka_DescribeAcls_result_acls(rd_kafka_event_DescribeAcls_result(event->get()), &count);
  std::vector<AclEntry> entries;
  for (size_t i = 0; i < count; ++i) {
    entries.push_back(FromBinding(bindings[i]));
    // An exact filter for each, should it have to go (DeleteAcls takes filters).
    raw->push_back(rd_kafka_AclBindingFilter_new(
        rd_kafka_AclBinding_restype(bindings[i]), rd_kafka_AclBinding_name(bindings[i]),
        rd_kafka_AclBinding_resource_pattern_type(bindings[i]),
        rd_kafka_AclBinding_principal(bindings[i]), rd_kafka_AclBinding_host(bindings[i]),
        rd_kafka_AclBinding_operation(bindings[i]),
        rd_kafka_AclBinding_permission_type(bindings[i]), error, sizeof(error)));
  }
  return entries;
}

}  // namespace

absl::StatusOr<SyncResult> SyncAcls(const std::string& bootstrap_servers,
                                    const std::vector<AclEntry>& wanted, bool prune,
                                    absl::Duration timeout) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [key, value] :
       kafka::WithProcessDefaults({{"bootstrap.servers", bootstrap_servers}})) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof(error)) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError(absl::StrCat(key, ": ", error));
    }
  }
  ClientPtr client(rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error)), &rd_kafka_destroy);
  if (!client) return absl::InvalidArgumentError(absl::StrCat("admin client: ", error));
  QueuePtr queue(rd_kafka_queue_new(client.get()), &rd_kafka_queue_destroy);

  std::vector<rd_kafka_AclBinding_t*> filters;
  auto existing = DescribeAll(client.get(), queue.get(), timeout, &filters);
  auto free_filters = [&filters] {
    for (rd_kafka_AclBinding_t* filter : filters) rd_kafka_AclBinding_destroy(filter);
  };
  if (!existing.ok()) {
    free_filters();
    return existing.status();
  }
  SyncResult result;
  const std::set<AclEntry> want(wanted.begin(), wanted.end());
  const std::set<AclEntry> have(existing->begin(), existing->end());
  for (const AclEntry& entry : want) {
    (have.count(entry) ? result.unchanged : result.created).push_back(entry);
  }
  std::vector<rd_kafka_AclBinding_t*> to_delete;
  for (size_t i = 0; i < existing->size(); ++i) {
    if (want.count((*existing)[i])) continue;
    if (prune) {
      result.deleted.push_back((*existing)[i]);
      to_delete.push_back(filters[i]);
    } else {
      result.foreign.push_back((*existing)[i]);
    }
  }

  absl::Status status;
  if (!result.created.empty()) {
    std::vector<rd_kafka_AclBinding_t*> bindings;
    for (const AclEntry& entry : result.created) {
      rd_kafka_AclBinding_t* binding =
          rd_kafka_AclBinding_new(ResourceType(entry.resource), entry.name.c_str(),
                                  entry.pattern == "prefixed" ? RD_KAFKA_RESOURCE_PATTERN_PREFIXED
                                                              : RD_KAFKA_RESOURCE_PATTERN_LITERAL,
                                  entry.principal.c_str(), "*", Operations().at(entry.operation),
                                  entry.permission == "allow" ? RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW
                                                              : RD_KAFKA_ACL_PERMISSION_TYPE_DENY,
                                  error, sizeof(error));
      if (binding == nullptr) {
        status = absl::InvalidArgumentError(absl::StrCat(entry.ToString(), ": ", error));
        break;
      }
      bindings.push_back(binding);
    }
    if (status.ok()) {
      rd_kafka_CreateAcls(client.get(), bindings.data(), bindings.size(),
                          Options(client.get(), RD_KAFKA_ADMIN_OP_CREATEACLS, timeout).get(),
                          queue.get());
      status = AwaitEach(
          queue.get(), timeout, "create", result.created,
          [](rd_kafka_event_t* event, size_t* count) {
            return rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(event), count);
          },
          &rd_kafka_acl_result_error);
    }
    rd_kafka_AclBinding_destroy_array(bindings.data(), bindings.size());
  }
  if (status.ok() && !to_delete.empty()) {
    rd_kafka_DeleteAcls(client.get(), to_delete.data(), to_delete.size(),
                        Options(client.get(), RD_KAFKA_ADMIN_OP_DELETEACLS, timeout).get(),
                        queue.get());
    status = AwaitEach(
        queue.get(), timeout, "delete", result.deleted,
        [](rd_kafka_event_t* event, size_t* count) {
          return rd_kafka_DeleteAcls_result_responses(rd_kafka_event_DeleteAcls_result(event),
                                                      count);
        },
        &rd_kafka_DeleteAcls_result_response_error);
  }
  free_filters();
  if (!status.ok()) return status;
  return result;
}

}  // namespace infobus::kafka_acls
