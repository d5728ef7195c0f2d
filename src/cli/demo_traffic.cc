// The demo's live traffic: real HTTP requests to the model server, labels kept for later.
#include <fstream>

#include "cli/demo.h"
#include "core/env.h"
#include "http/client.h"

namespace gyre::demo {
namespace {

// The line without its last field.
std::string_view WithoutLast(std::string_view line, std::string_view* last) {
  const size_t comma = line.rfind(',');
  *last = line.substr(comma + 1);
  return line.substr(0, comma);
}

}  // namespace

Result<Sent> SendCsv(uint16_t port, const std::string& csv_path, const std::string& prefix, int batch,
                     const std::atomic<bool>* stop) {
  ASSIGN_OR_RETURN(std::string text, Env::Default()->ReadFile(csv_path));
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) lines.emplace_back(text.data() + start, end - start);
    start = end + 1;
  }
  if (lines.size() < 2) return InvalidArgument(csv_path + " has no rows to send");
  std::string_view label;
  const std::string header(WithoutLast(lines[0], &label));
  ASSIGN_OR_RETURN(auto client, http::Client::Connect("127.0.0.1", port));
  Sent sent;
  size_t next = 1;
  for (int64_t n = 0;; ++n) {
    if (next >= lines.size()) {
      if (stop == nullptr) break;
      next = 1;  // round again until stopped
    }
    if (stop != nullptr && stop->load()) break;
    const std::string id = prefix + "-" + std::to_string(n);
    std::string body = header + "\n";
    std::vector<std::pair<std::string, std::string>> labels;  // kept only if the request succeeds
    const size_t first = next;
    for (; next < lines.size() && next < first + static_cast<size_t>(batch); ++next) {
      body.append(WithoutLast(lines[next], &label));
      body += '\n';
      const size_t i = next - first;
      labels.emplace_back(batch == 1 ? id : id + "/" + std::to_string(i), std::string(label));
    }
    ++sent.requests;
    sent.rows += static_cast<int64_t>(next - first);
    auto r = client->Send("POST", "/invocations", body, "text/csv", {{"x-request-id", id}});
    if (!r.ok() || r->status != 200) {
      ++sent.failed;
      if (sent.first_error.empty()) sent.first_error = r.ok() ? std::to_string(r->status) + " " + r->body : r.status().ToString();
      continue;
    }
    sent.labels.insert(sent.labels.end(), labels.begin(), labels.end());
    auto v = r->headers.find("x-gyre-model-version");
    if (v != r->headers.end()) ++sent.versions[std::stoll(v->second)];
  }
  return sent;
}

Status WriteLabels(const std::string& path, const std::vector<std::pair<std::string, std::string>>& labels) {
  std::string csv = "request_id,is_fraud\n";
  for (const auto& [id, label] : labels) csv += id + "," + label + "\n";
  return WriteFileAtomic(Env::Default(), path, csv);
}

}  // namespace gyre::demo
