#include "common/grpc/lenient_parse.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>

#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/domain/utf8.h"

namespace infobus {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::DynamicMessageFactory;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::FileDescriptorProto;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Every string field of `file` becomes bytes (the same wire form, never UTF-8-checked), and map
// entries plain messages (a map may not have a bytes key).
void MakeBytesTwin(FileDescriptorProto& file) {
  auto rewrite = [](auto& self, google::protobuf::DescriptorProto& message) -> void {
    if (message.options().map_entry()) message.mutable_options()->clear_map_entry();
    for (auto& field : *message.mutable_field()) {
      if (field.type() == google::protobuf::FieldDescriptorProto::TYPE_STRING) {
        field.set_type(google::protobuf::FieldDescriptorProto::TYPE_BYTES);
      }
    }
    for (auto& nested : *message.mutable_nested_type()) self(self, nested);
  };
  for (auto& message : *file.mutable_message_type()) rewrite(rewrite, message);
}

// The bytes twins of generated message types, built once per type in a pool of their own.
class TwinFactory {
 public:
  static TwinFactory& Get() {
    static auto* factory = new TwinFactory();
    return *factory;
  }

  // A prototype of the twin of `type`.
  const Message* Twin(const Descriptor* type) {
    absl::MutexLock lock(&mutex_);
    if (auto it = twins_.find(type); it != twins_.end()) return it->second;
    AddFile(type->file());
    const Descriptor* twin = pool_.FindMessageTypeByName(type->full_name());
    const Message* prototype = twin == nullptr ? nullptr : factory_.GetPrototype(twin);
    twins_[type] = prototype;
    return prototype;
  }

 private:
  void AddFile(const FileDescriptor* file) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (pool_.FindFileByName(file->name()) != nullptr) return;
    for (int i = 0; i < file->dependency_count(); ++i) AddFile(file->dependency(i));
    FileDescriptorProto proto;
    file->CopyTo(&proto);
    MakeBytesTwin(proto);
    pool_.BuildFile(proto);
  }

  absl::Mutex mutex_;
  DescriptorPool pool_;
  DynamicMessageFactory factory_{&pool_};
  absl::flat_hash_map<const Descriptor*, const Message*> twins_ ABSL_GUARDED_BY(mutex_);
};

void CopyFromTwin(const Message& twin, Message* out);

// One value of `field` (element `index` when repeated) of the twin into `out`'s `to`.
void CopyValue(const Message& twin, const FieldDescriptor* from, int index, Message* out,
               const FieldDescriptor* to) {
  const Reflection* in = twin.GetReflection();
  const Reflection* set = out->GetReflection();
  const bool repeated = from->is_repeated();
  switch (to->cpp_type()) {
#define INFOBUS_COPY(CPP, NAME)                                          \
  case FieldDescriptor::CPP:                                             \
    if (repeated) {                                                      \
      set->Add##NAME(out, to, in->GetRepeated##NAME(twin, from, index)); \
    } else {                                                             \
      set->Set##NAME(out, to, in->Get##NAME(twin, from));                \
    }                                                                    \
    break;
    INFOBUS_COPY(CPPTYPE_INT32, Int32)
    INFOBUS_COPY(CPPTYPE_INT64, Int64)
    INFOBUS_COPY(CPPTYPE_UINT32, UInt32)
    INFOBUS_COPY(CPPTYPE_UINT64, UInt64)
    INFOBUS_COPY(CPPTYPE_DOUBLE, Double)
    INFOBUS_COPY(CPPTYPE_FLOAT, Float)
    INFOBUS_COPY(CPPTYPE_BOOL, Bool)
    INFOBUS_COPY(CPPTYPE_STRING, String)
    INFOBUS_COPY(CPPTYPE_ENUM, EnumValue)
#undef INFOBUS_COPY
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (repeated) {
        CopyFromTwin(in->GetRepeatedMessage(twin, from, index), set->AddMessage(out, to));
      } else {
        CopyFromTwin(in->GetMessage(twin, from), set->MutableMessage(out, to));
      }
      break;
  }
}

// Field by field, by number (the twin has the same numbers; a map is a repeated entry).
void CopyFromTwin(const Message& twin, Message* out) {
  const Reflection* in = twin.GetReflection();
  std::vector<const FieldDescriptor*> present;
  in->ListFields(twin, &present);
  for (const FieldDescriptor* from : present) {
    const FieldDescriptor* to = out->GetDescriptor()->FindFieldByNumber(from->number());
    if (to == nullptr) continue;
    if (from->is_repeated()) {
      for (int i = 0, n = in->FieldSize(twin, from); i < n; ++i) CopyValue(twin, from, i, out, to);
    } else {
      CopyValue(twin, from, 0, out, to);
    }
  }
  out->GetReflection()->MutableUnknownFields(out)->MergeFrom(in->GetUnknownFields(twin));
}

std::string Join(std::string_view prefix, std::string_view name) {
  std::string path(prefix);
  if (!path.empty()) path += '.';
  return path.append(name);
}

}  // namespace

bool ParseLeniently(std::string_view bytes, Message* message) {
  if (message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return true;
  const Message* prototype = TwinFactory::Get().Twin(message->GetDescriptor());
  if (prototype == nullptr) return false;
  std::unique_ptr<Message> twin(prototype->New());
  if (!twin->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return false;
  message->Clear();
  CopyFromTwin(*twin, message);
  return true;
}

std::optional<std::string> FindInvalidUtf8(const Message& message, std::string_view prefix) {
  const Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> present;
  reflection->ListFields(message, &present);
  for (const FieldDescriptor* field : present) {
    const std::string path = Join(prefix, field->name());
    if (field->is_map()) {
      const FieldDescriptor* key = field->message_type()->map_key();
      const FieldDescriptor* value = field->message_type()->map_value();
      for (int i = 0, n = reflection->FieldSize(message, field); i < n; ++i) {
        const Message& entry = reflection->GetRepeatedMessage(message, field, i);
        const Reflection* entry_reflection = entry.GetReflection();
        std::string element = absl::StrCat(path, "[", i, "]");
        if (key->type() == FieldDescriptor::TYPE_STRING) {
          const std::string text = entry_reflection->GetString(entry, key);
          if (!domain::IsValidUtf8(text)) return absl::StrCat(element, ".key");
          element = absl::StrCat(path, "[\"", text, "\"]");
        }
        if (value->type() == FieldDescriptor::TYPE_STRING &&
            !domain::IsValidUtf8(entry_reflection->GetString(entry, value))) {
          return element;
        }
        if (value->type() == FieldDescriptor::TYPE_MESSAGE) {
          if (auto bad = FindInvalidUtf8(entry_reflection->GetMessage(entry, value), element)) {
            return bad;
          }
        }
      }
    } else if (field->type() == FieldDescriptor::TYPE_STRING) {
      if (field->is_repeated()) {
        for (int i = 0, n = reflection->FieldSize(message, field); i < n; ++i) {
          if (!domain::IsValidUtf8(reflection->GetRepeatedString(message, field, i))) {
            return absl::StrCat(path, "[", i, "]");
          }
        }
      } else if (!domain::IsValidUtf8(reflection->GetString(message, field))) {
        return path;
      }
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0, n = reflection->FieldSize(message, field); i < n; ++i) {
          if (auto bad = FindInvalidUtf8(reflection->GetRepeatedMessage(message, field, i),
                                         absl::StrCat(path, "[", i, "]"))) {
            return bad;
          }
        }
      } else if (auto bad = FindInvalidUtf8(reflection->GetMessage(message, field), path)) {
        return bad;
      }
    }
  }
  return std::nullopt;
}

absl::Status CheckUtf8(const Message& request) {
  if (auto bad = FindInvalidUtf8(request)) {
    return absl::InvalidArgumentError(absl::StrCat(*bad, ": not valid UTF-8"));
  }
  return absl::OkStatus();
}

}  // namespace infobus
