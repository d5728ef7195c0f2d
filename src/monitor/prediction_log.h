// The prediction log: what a served model was asked and answered, appended to segment files
// under `.gyre/logs/<model>/` (format: docs/formats/prediction-log.md). The model server
// writes it; monitoring reads it back as windows of records.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "core/status.h"

namespace gyre {

struct PredictionRecord {
  std::string request_id;
  int64_t time_us = 0;  // when the prediction was made, microseconds since the Unix epoch
  int64_t model_version = 0;
  std::string inputs_json;   // one JSON object: input name -> value (number, string, bool, null)
  std::string outputs_json;  // one JSON object: "prediction" and, for classifiers, "p_<class>"
};

struct PredictionLogOptions {
  uint64_t max_segment_bytes = 64ull << 20;  // start a new segment past this size
  int64_t max_segment_age_us = 3600LL * 1000000;  // or when the segment's first record is older
  bool sync_each_append = false;  // fsync after every record (Sync() otherwise)
};

// Appends records to a model's log. Each writer starts a new segment (a crashed writer's
// segment is never appended to again). Thread-safe.
class PredictionLogWriter {
 public:
  static Result<std::unique_ptr<PredictionLogWriter>> Open(Env* env, const std::string& dir,
                                                           const PredictionLogOptions& options = {});
  ~PredictionLogWriter();
  Status Append(const PredictionRecord& record);
  // Appends the records in order with as few writes as the segments allow. A record Append
  // would refuse is skipped and counted in `*rejected`; an I/O error stops the batch.
  Status Append(std::span<const PredictionRecord> records, int64_t* rejected);
  // Appends records already framed by AppendLogRecord, `times[i]` the i-th one's time (by
  // which segments rotate), written as they are. A record larger than the 64 MiB a record may
  // hold is skipped and counted in `*rejected`, as Append does. Frames that do not parse, or
  // whose count is not that of the times, are refused whole (InvalidArgument) and nothing is
  // written.
  Status AppendFramed(std::string_view frames, std::span<const int64_t> times, int64_t* rejected);
  Status Sync();  // fsync the current segment
  int64_t segments_started() const;

 private:
  PredictionLogWriter(Env* env, std::string dir, PredictionLogOptions options, int64_t next_seq);
  Status Rotate();

  Env* env_;
  std::string dir_;
  PredictionLogOptions options_;
  mutable std::mutex mu_;
  std::unique_ptr<WritableFile> file_;
  int64_t next_seq_;
  uint32_t tag_;  // in this writer's segment names
  int64_t started_ = 0;
  uint64_t segment_bytes_ = 0;
  int64_t segment_first_us_ = 0;
};

struct PredictionLogStats {
  int64_t segments = 0;
  int64_t records = 0;
  int64_t torn_tails = 0;       // a segment ending in a partial record (a crash while writing)
  int64_t corrupt_records = 0;  // checksum mismatches before a segment's end, skipped
};

// Every record of a log, oldest first. A missing folder is an empty log.
Result<std::vector<PredictionRecord>> ReadPredictionLog(Env* env, const std::string& dir,
                                                        PredictionLogStats* stats = nullptr);

// Consecutive windows of `size` records, oldest first, counted back from the newest: the
// latest window is full and only the oldest may be shorter. The windows are views of
// `records`, nothing is copied.
std::vector<std::span<const PredictionRecord>> WindowsByCount(std::span<const PredictionRecord> records,
                                                              size_t size);
// Consecutive windows of `period_us` by record time, aligned to the first record's time.
std::vector<std::vector<PredictionRecord>> WindowsByTime(const std::vector<PredictionRecord>& records,
                                                         int64_t period_us);

// The record framing: [crc32c of the rest: 4][payload length: 4][payload]. Inputs and
// outputs are JSON objects' text, written as they are (empty: {}).
void AppendLogRecord(std::string* out, std::string_view request_id, int64_t time_us, int64_t model_version,
                     std::string_view inputs_json, std::string_view outputs_json);
std::string EncodeLogRecord(const PredictionRecord& record);
uint32_t Crc32c(const char* data, size_t n);

}  // namespace gyre
