#include "storage/sqlite/decision_journal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

#include <sys/statvfs.h>

#include "storage/sqlite/journal_codec.hpp"
#include "storage/sqlite/queries.hpp"

namespace emkhana::storage::sqlite {

Result<void> DecisionJournal::Prepare() {
  struct Item {
    Statement* stmt;
    const char* sql;
  };
  const Item items[] = {
      {&append_, queries::kAppendJournal},
      {&read_, queries::kReadJournal},
      {&delete_, queries::kDeleteJournal},
      {&pending_, queries::kJournalPending},
      {&size_, queries::kJournalSize},
      {&read_newest_first_, queries::kReadJournalNewestFirst},
      {&application_exists_, queries::kApplicationExists},
      {&attachment_exists_, queries::kAttachmentExists},
  };
  for (const auto& item : items) {
    auto s = db_.Prepare(item.sql);
    if (!s) return s.error();
    *item.stmt = std::move(*s);
  }
  return {};
}

bool DecisionJournal::Takes(const WriteBatch& batch) {
  return std::all_of(batch.mutations.begin(), batch.mutations.end(), Journalled);
}

Result<void> DecisionJournal::Ready() {
  // Records of an earlier run that Load did not read (their ids are not in the sets): apply them
  // first.
  if (bytes_ < 0) return ApplyAll();
  return {};
}

Result<void> DecisionJournal::Append(const WriteBatch& batch, Appended& appended) {
  appended.bytes_before = bytes_;
  if (auto r = Check(batch, appended); !r) return r;
  return AppendRecords(batch);
}

void DecisionJournal::Forget(const Appended& appended) {
  for (const auto& id : appended.apps) apps_.erase(id);
  for (auto id : appended.periods) periods_.erase(id);
  bytes_ = appended.bytes_before;
}

void DecisionJournal::Committed() {
  if (bytes_ > kLimitBytes && !HeldBack()) {
    // The batch is committed whatever happens here; a failure shows at the next read, which
    // applies the journal first.
    (void)Apply(kAllRecords);
  }
}

// The tables hold what the journal holds in about 2.6 times its bytes, and the journal's own
// pages, once freed, make up one of those at most (measured, ADR 0021): with less free space
// than 1.5 times the journal, writing it into the tables cannot complete. It is then not
// begun: it would fail, and first take the space that commits of new decisions need.
Result<void> DecisionJournal::RoomToApply() {
  struct statvfs fs {};
  if (path_.empty() || ::statvfs(path_.c_str(), &fs) != 0) return {};  // unknown: try
  const auto free = static_cast<std::int64_t>(fs.f_bavail) * static_cast<std::int64_t>(fs.f_frsize);
  std::int64_t pending = bytes_;
  if (pending < 0) {
    Error error{ErrorCode::kInternal, ""};
    if (size_.Step(&error)) pending = size_.Int(0);
    size_.Reset();
    if (!error.message.empty()) return error;
  }
  if (free >= pending + pending / 2) return {};
  return Error::Unavailable(
      fmt::format("no room to write the decision journal into the tables: {} MiB free for {} "
                  "MiB of journal, which the tables hold in about three times as much",
                  free >> 20, pending >> 20));
}

// What the tables would refuse at once, checked before a batch goes to the journal, so that
// a journalled batch fails as a whole just as a written one does: an application decided
// before, an attachment period stored before, a change to a period that does not exist. The
// ids of records not yet applied are kept here; the tables answer for the rest.
Result<void> DecisionJournal::Check(const WriteBatch& batch, Appended& appended) {
  auto stored = [](Statement& s, auto key) {
    s.Bind(1, key);
    const bool found = s.Step(nullptr);
    s.Reset();
    return found;
  };
  auto& known = tables_.known();
  for (const auto& m : batch.mutations) {
    if (const auto* d = std::get_if<DecidedApplication>(&m)) {
      const auto& id = d->application.id;
      if (apps_.contains(id) || (known.MayHold(id) && stored(application_exists_, id))) {
        return Error::FailedPrecondition("application " + id + " is already decided");
      }
      apps_.insert(id);
      appended.apps.push_back(id);
    } else if (const auto* a = std::get_if<domain::Attachment>(&m)) {
      if (known.MayHold(a->id) && (periods_.contains(a->id) || stored(attachment_exists_, a->id))) {
        return Error::FailedPrecondition(fmt::format("attachment {} already exists", a->id));
      }
      known.largest_period = std::max(known.largest_period, a->id);
      periods_.insert(a->id);
      appended.periods.push_back(a->id);
    } else if (const auto* c = std::get_if<PeriodChange>(&m)) {
      if (!periods_.contains(c->attachment_id) && !known.periods.contains(c->attachment_id) &&
          !stored(attachment_exists_, c->attachment_id)) {
        return Error::Internal(fmt::format("attachment {} does not exist", c->attachment_id));
      }
    }
  }
  return {};
}

Result<void> DecisionJournal::AppendRecords(const WriteBatch& batch) {
  std::string body;
  std::size_t from = 0;
  while (from < batch.mutations.size()) {
    std::size_t to = from, count = 0;
    while (to < batch.mutations.size() && count < kMutationsPerRecord) {
      ++count;
      ++to;
    }
    if (count > 0) {
      body.clear();
      EncodeJournal(batch, from, to, body);
      if (auto r = append_.Bind(1, static_cast<std::int64_t>(count)).BindBlob(2, body).Run(); !r) {
        return r;
      }
      if (bytes_ >= 0) bytes_ += static_cast<std::int64_t>(body.size());
    }
    from = to;
  }
  return {};
}

// Applies up to `max_records` of the journal's oldest records to the tables (see
// ApplyInTransaction). True when records remain. A transaction that fails leaves nothing
// behind, and what is known of the journal (its size, the ids in it) stays true: commits go on
// journalling. The tables grow by more than the journal shrinks (ADR 0021), so on a nearly full
// disk this is what fails.
Result<bool> DecisionJournal::Apply(std::int64_t max_records) {
  if (bytes_ == 0) return false;
  for (bool first = true;; first = false) {
    // Back-to-back transactions leave the WAL no moment to start over: past its restart size,
    // wait for that between two of them (ADR 0010). A single one (the server's idle steps)
    // leaves gaps of its own.
    if (!first && checkpointer_ && checkpointer_->wants_restart()) {
      (void)checkpointer_->GiveWay(std::chrono::seconds(60));
    }
    if (auto room = RoomToApply(); !room) return room.error();
    if (auto r = db_.Exec("BEGIN IMMEDIATE"); !r) return r.error();
    auto applied = ApplyInTransaction(std::min(max_records, kRecordsPerTransaction));
    if (applied) {
      if (auto r = db_.Exec("COMMIT"); !r) applied = r.error();
    }
    if (!applied) {
      (void)db_.Exec("ROLLBACK");
      if (applied.error().code == ErrorCode::kUnavailable) {
        // Out of space (or unable to write at all): reads hold back from trying again for a
        // while, since each try would redo a transaction's work only to fail. The server's
        // idle steps go on trying, a record at a time.
        held_back_by_ = applied.error();
        held_back_until_ = std::chrono::steady_clock::now() + kHoldBack;
      }
      return applied.error();
    }
    held_back_by_.reset();
    max_records -= applied->records;
    if (applied->records == 0 || !applied->more) {
      bytes_ = 0;
      apps_.clear();  // all in the tables now
      periods_.clear();
      return false;
    }
    if (bytes_ > 0) bytes_ = std::max<std::int64_t>(bytes_ - applied->bytes, 1);
    if (max_records <= 0) return true;
  }
}

// Writes the oldest `max_records` journal records to the tables, in order, and deletes them.
Result<DecisionJournal::Applied> DecisionJournal::ApplyInTransaction(std::int64_t max_records) {
  Applied applied;
  std::int64_t last = 0;
  Error error{ErrorCode::kInternal, ""};
  read_.Bind(1, max_records + 1);  // one more tells whether records remain
  while (read_.Step(&error)) {
    if (applied.records == max_records) {
      applied.more = true;
      break;
    }
    last = read_.Int(0);
    const std::string body = read_.Blob(1);
    auto batch = DecodeJournal(body);
    if (!batch) {
      read_.Reset();
      return Error::Internal(
          fmt::format("decision journal record {}: {}", last, batch.error().message));
    }
    if (auto r = tables_.Write(*batch); !r) {
      read_.Reset();
      return Error{r.error().code,
                   fmt::format("decision journal record {}: {}", last, r.error().message)};
    }
    ++applied.records;
    applied.bytes += static_cast<std::int64_t>(body.size());
  }
  read_.Reset();
  if (!error.message.empty()) return error;
  if (applied.records > 0) {
    if (auto r = delete_.Bind(1, last).Run(); !r) return r.error();
  }
  return applied;
}

// Asks the database, not the count kept here, since another process may have journalled (a CLI
// beside a server reads without writing when there is nothing to apply).
Result<void> DecisionJournal::ApplyAll() {
  Error error{ErrorCode::kInternal, ""};
  const bool pending = pending_.Step(&error);
  pending_.Reset();
  if (!error.message.empty()) return error;
  if (!pending) {
    bytes_ = 0;
    return {};
  }
  if (HeldBack()) return *held_back_by_;
  // Records there that this store did not count (another process journalled them) make the
  // journal's size unknown, and Apply look.
  if (bytes_ == 0) bytes_ = -1;
  if (auto r = Apply(kAllRecords); !r) return r.error();
  return {};
}

// The newest record first (a client asks again about what it sent last), decoding only those
// whose bytes hold the id. A full scan, for a full disk only.
Result<std::optional<DecidedApplication>> DecisionJournal::Find(const std::string& id) {
  if (bytes_ >= 0 && !apps_.contains(id)) return std::nullopt;  // the sets know
  Error error{ErrorCode::kInternal, ""};
  std::optional<DecidedApplication> found;
  while (!found && read_newest_first_.Step(&error)) {
    const auto body = read_newest_first_.BlobView(1);
    if (body.find(id) == std::string_view::npos) continue;
    auto batch = DecodeJournal(body);
    if (!batch) {
      error = Error::Internal(fmt::format("decision journal record {}: {}",
                                          read_newest_first_.Int(0), batch.error().message));
      break;
    }
    for (auto& m : batch->mutations) {
      auto* d = std::get_if<DecidedApplication>(&m);
      if (d && d->application.id == id) found = std::move(*d);
    }
  }
  read_newest_first_.Reset();
  if (!error.message.empty()) return error;
  return found;
}

Result<void> DecisionJournal::Load(PendingSink& pending) {
  auto& known = tables_.known();
  Error error{ErrorCode::kInternal, ""};
  std::int64_t bytes = 0;
  read_.Bind(1, kAllRecords);
  while (read_.Step(&error)) {
    const auto body = read_.BlobView(1);
    auto batch = DecodeJournal(body);
    if (!batch) {
      error = Error::Internal(
          fmt::format("decision journal record {}: {}", read_.Int(0), batch.error().message));
      break;
    }
    for (const auto& m : batch->mutations) {
      if (const auto* d = std::get_if<DecidedApplication>(&m)) {
        apps_.insert(d->application.id);
      } else if (const auto* a = std::get_if<domain::Attachment>(&m)) {
        periods_.insert(a->id);
        // Stored for good as well (checked when journalled): a change to it needs no lookup,
        // once the journal is in the tables either (as when Load wrote it there first).
        known.periods.insert(a->id);
        known.largest_period = std::max(known.largest_period, a->id);
      }
    }
    bytes += static_cast<std::int64_t>(body.size());
    pending.OnPending(std::move(*batch));
  }
  read_.Reset();
  if (!error.message.empty()) return error;
  bytes_ = bytes;  // the sets above now hold every pending record's ids
  return {};
}

}  // namespace emkhana::storage::sqlite
