// A tracked training: the data loaded (a file or a dataset version), the model trained, and
// everything recorded as a run (params, metrics, input, bundle, evaluation). What `gyre train`
// and the pipeline's train step share.
#pragma once

#include <future>
#include <memory>
#include <string>
#include <utility>

#include "core/env.h"
#include "core/status.h"
#include "data/stats.h"
#include "data/table.h"
#include "monitor/drift.h"
#include "store/metadata_store.h"
#include "store/object_store.h"
#include "track/tracker.h"
#include "train/trainer.h"

namespace gyre {

// The training table: a file, or a dataset version (recorded as the run's input).
struct TrainingData {
  Table table;
  std::string ref;         // NAME:V, or the file path
  std::string dataset;     // empty for a file
  int64_t version = 0;
  // A file's profile, read in the same pass as the table; StartSummary takes its counts.
  std::shared_ptr<StatsBuilder> profile;
  // The profile statistics (JSON) the bundle carries; for a file, finished on another thread
  // while the model trains (from StartSummary on; on demand without it).
  std::shared_future<std::string> stats_json;
  // What drift tests need of the training data, summarized on another thread while the model
  // trains (StartSummary); declared after the table so that it is waited for before the table
  // goes.
  std::shared_future<DatasetSummary> summary;
  // The summary's columns compressed (CompressColumns), the bulk of the model's reference,
  // on a third thread once the summary is done. Declared last: it waits for the summary.
  std::shared_future<std::string> compressed_summary;
};

// `what` is an existing file or a dataset reference NAME[:V].
Result<TrainingData> LoadTrainingData(MetadataStore* meta, ObjectStore* objects, Env* env, const std::string& what);
// Starts summarizing the named columns of the table for drift on another thread: the
// model's inputs (InputColumns), the columns monitoring compares. The numeric columns a file's
// profile counted are taken from its counts, the others summarized again. The summary is then
// compressed on a thread of low priority, in what the cores have spare while the model trains.
void StartSummary(TrainingData& d, std::vector<std::string> columns);

// TrainModel, with the bundle finished as a run records it: the data's profile statistics,
// the drift reference (the training data's summary plus the model's holdout outputs, for
// prediction drift) and, for a binary model, its calibration. Both are built on other threads
// from the moment the holdout is predicted, while evaluation goes on. The run and dataset
// fields are left to the caller.
Result<TrainResult> TrainForRun(const TrainingData& data, const TrainOptions& options);

// Lays a retrained bundle out as an earlier Gyre did `before`, so that `gyre runs reproduce`
// compares like with like: without drift statistics or a calibration if `before` had none,
// and with its reference in one zstd frame if `before` had it so (earlier versions of Gyre).
Status LayOutAsBefore(const ModelBundle& before, ModelBundle* again);

// One trained model as one run (`options.parent_run_id` set during a search or a pipeline).
// A failed training is on record as a FAILED run with its error.
Result<std::pair<std::string, TrainResult>> TrainOneRun(Tracker& tracker, const TrainingData& data,
                                                        const TrainOptions& train, const RunOptions& options);

// What a run of TrainOneRun recorded: its data (a file or NAME:V) and its training options,
// everything needed to train it again or to rebuild its holdout. InvalidArgument for a run
// that no training made, or whose params do not read back.
struct RecordedTraining {
  std::string data;
  TrainOptions options;
};
Result<RecordedTraining> RecordedTrainingOf(const RunView& run);

// The shortest text that reads back as the same double.
std::string DoubleText(double v);

}  // namespace gyre
