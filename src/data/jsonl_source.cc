// JSON Lines: one JSON object per line. Columns are the keys in order of first appearance
// (a first pass collects them and reports malformed lines before any work is done); a key
// absent from a line is a missing value. Values become text and are typed like CSV fields.
#include <fstream>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "data/row_source.h"
#include "data/text_parse.h"

namespace gyre {
namespace {

using json = nlohmann::json;

class JsonlSource : public RowSource {
 public:
  explicit JsonlSource(std::string path) : path_(std::move(path)) {}

  Status Init();
  const std::vector<std::string>& column_names() const override { return names_; }
  Result<bool> NextBatch(RowBatch* batch, int64_t max_rows) override;
  Status Rewind() override;
  uint64_t bytes_read() const override { return bytes_; }

 private:
  // Reads the next non-blank line and parses it as an object; false at the end.
  Result<bool> NextObject(json* object);

  std::string path_;
  std::ifstream in_;
  std::string line_text_;
  int64_t line_ = 0;
  uint64_t bytes_ = 0;
  std::vector<std::string> names_;
  std::unordered_map<std::string, int> index_;
};

Result<bool> JsonlSource::NextObject(json* object) {
  while (std::getline(in_, line_text_)) {
    ++line_;
    bytes_ += line_text_.size() + 1;
    if (!line_text_.empty() && line_text_.back() == '\r') line_text_.pop_back();
    if (line_ == 1 && line_text_.rfind("\xEF\xBB\xBF", 0) == 0) line_text_.erase(0, 3);
    if (line_text_.find_first_not_of(" \t") == std::string::npos) continue;
    size_t bad = FindInvalidUtf8(line_text_.data(), line_text_.size());
    if (bad != std::string::npos) {
      return InvalidArgument("invalid UTF-8; save the file as UTF-8 text",
                             {path_, line_, static_cast<int64_t>(bad + 1), ""});
    }
    try {
      *object = json::parse(line_text_);
    } catch (const json::parse_error& e) {
      std::string what = e.what();
      auto pos = what.find("syntax error");
      return InvalidArgument("invalid JSON: " + (pos == std::string::npos ? what : what.substr(pos)),
                             {path_, line_, static_cast<int64_t>(e.byte), ""});
    }
    if (!object->is_object()) {
      return InvalidArgument(std::string("expected a JSON object per line, found ") + object->type_name(),
                             {path_, line_, 1, ""});
    }
    return true;
  }
  if (in_.bad()) return ErrnoError("reading " + path_);
  return false;
}

Status JsonlSource::Init() {
  in_.open(path_, std::ios::binary);
  if (!in_) return NotFound("no such file: " + path_);
  char head[4096];
  in_.read(head, sizeof head);
  RETURN_IF_ERROR(CheckLooksLikeText(path_, {head, static_cast<size_t>(in_.gcount())}));
  RETURN_IF_ERROR(Rewind());
  json object;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, NextObject(&object));
    if (!more) break;
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (index_.emplace(it.key(), static_cast<int>(names_.size())).second) names_.push_back(it.key());
    }
  }
  if (line_ == 0 || names_.empty()) {
    return InvalidArgument("the file is empty: expected one JSON object per line", {path_, 0, 0, ""});
  }
  return Rewind();
}

Status JsonlSource::Rewind() {
  in_.clear();
  in_.seekg(0);
  if (!in_) return ErrnoError("seeking " + path_);
  line_ = 0;
  bytes_ = 0;
  return Status::OK();
}

Result<bool> JsonlSource::NextBatch(RowBatch* batch, int64_t max_rows) {
  batch->Clear();
  batch->num_columns = static_cast<int>(names_.size());
  json object;
  while (batch->rows < max_rows) {
    ASSIGN_OR_RETURN(bool more, NextObject(&object));
    if (!more) break;
    size_t base = batch->fields.size();
    batch->fields.resize(base + names_.size());
    for (auto it = object.begin(); it != object.end(); ++it) {
      auto col = index_.find(it.key());
      if (col == index_.end()) {
        return Internal("key " + it.key() + " was not seen by the first pass");
      }
      const json& v = it.value();
      std::string text;
      if (v.is_null()) continue;
      if (v.is_string()) text = v.get<std::string>();
      else if (v.is_boolean()) text = v.get<bool>() ? "true" : "false";
      else if (v.is_number_integer() && v.is_number_unsigned()) text = std::to_string(v.get<uint64_t>());
      else if (v.is_number_integer()) text = std::to_string(v.get<int64_t>());
      else if (v.is_number_float()) text = FormatDouble(v.get<double>());
      else text = v.dump();
      if (batch->rewritten.size() + text.size() >= RowBatch::kMaxTextBytes) {
        return InvalidArgument("a JSON object of over 1 GiB of values", {path_, line_, 1, it.key()});
      }
      batch->fields[base + static_cast<size_t>(col->second)] = batch->Rewrite(text);
    }
    batch->lines.push_back(line_);
    ++batch->rows;
    if (batch->rewritten.size() >= RowBatch::kMaxTextBytes / 2) break;  // the next row starts a batch
  }
  batch->PadRewritten();
  return batch->rows > 0;
}

}  // namespace

Result<std::unique_ptr<RowSource>> OpenJsonlSource(const std::string& path) {
  auto source = std::make_unique<JsonlSource>(path);
  RETURN_IF_ERROR(source->Init());
  return std::unique_ptr<RowSource>(std::move(source));
}

}  // namespace gyre
