#include "common/security/key_set_file.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace infobus::security {
namespace {

// A JWKS of a few keys is a few KiB; anything this large is not one.
constexpr off_t kMaxFileBytes = 1 << 20;

}  // namespace

KeySetFile::KeySetFile(std::string path, ClockPtr clock, absl::Duration check_interval)
    : path_(std::move(path)), clock_(std::move(clock)), check_interval_(check_interval) {}

KeySetFile::Version KeySetFile::Stat() const {
  Version version;
  struct stat info;
  if (::stat(path_.c_str(), &info) != 0) return version;
  version.exists = true;
  version.inode = info.st_ino;
  version.size = info.st_size;
  version.modified_ns =
      static_cast<int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
  return version;
}

absl::Status KeySetFile::Load(const Version& version) {
  seen_ = version;
  if (!version.exists) return absl::NotFoundError(absl::StrCat(path_, ": cannot stat"));
  if (version.size > kMaxFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(path_, ": ", version.size, " bytes, at most ", kMaxFileBytes));
  }
  std::ifstream in(path_, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return absl::NotFoundError(absl::StrCat(path_, ": cannot read"));
  absl::StatusOr<KeySet> keys = KeySet::FromJwks(text.str());
  if (!keys.ok()) {
    return absl::Status(keys.status().code(),
                        absl::StrCat(path_, ": ", std::string(keys.status().message())));
  }
  keys_ = std::make_shared<const KeySet>(*std::move(keys));
  return absl::OkStatus();
}

absl::Status KeySetFile::Start() {
  absl::MutexLock lock(&mutex_);
  if (absl::Status loaded = Load(Stat()); !loaded.ok()) return loaded;
  next_check_ = clock_->Now() + check_interval_;
  INFOBUS_LOG(Info) << "token keys: " << keys_->size() << " from " << path_;
  return absl::OkStatus();
}

std::shared_ptr<const KeySet> KeySetFile::Current() {
  absl::MutexLock lock(&mutex_);
  const absl::Time now = clock_->Now();
  if (now < next_check_) return keys_;
  next_check_ = now + check_interval_;
  const Version version = Stat();
  if (version == seen_) return keys_;
  if (absl::Status loaded = Load(version); !loaded.ok()) {
    INFOBUS_LOG(Warning) << "token keys: keeping the " << keys_->size()
                         << " loaded before: " << loaded.message();
  } else {
    INFOBUS_LOG(Info) << "token keys: reloaded " << keys_->size() << " from " << path_;
  }
  return keys_;
}

}  // namespace infobus::security
