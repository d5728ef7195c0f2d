#include <cstdio>
#include "data/stats.h"
int main(int argc, char** argv) {
  auto r = gyre::ProfileFile(argv[1]);
  if (!r.ok()) { std::printf("ERR %s\n", r.status().ToString().c_str()); return 1; }
  std::printf("%s\n", gyre::StatsToJson(*r, 1).c_str());
}
