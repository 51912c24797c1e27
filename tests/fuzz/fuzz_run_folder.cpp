// fuzz_run_folder.cpp — libFuzzer target for the run-folder readers (model/run_folder.h): fm::read_run_params
// (config.json) and fm::read_run_metrics (metrics.jsonl).
//
// Each input is written to a scratch run folder as both config.json and metrics.jsonl (one corpus serves both:
// a one-line object is a config and a metrics line at once), then both readers run. Findings (the process aborts):
//   - a crash, an ASan / UBSan report (an out-of-range number converted to int, say), a leak, a timeout or an
//     out-of-memory (libFuzzer's own checks);
//   - read_run_params: any exception that is not fm::Error, or one that does not name the folder; a result
//     whose output_dir is not the folder, with resume set, or a device other than cpu, cuda or auto;
//   - read_run_metrics: any exception at all (run_folder.h: unreadable lines are skipped), or more metrics than
//     the file has lines.
// Built from the torch-free sources of model/ (fm_model_config's: run_folder, train_params, ...) without LibTorch.
// Build and run: scripts/fuzz.sh run_folder [runs]   (seeds: fuzz_seeds run_folder DIR).
#include <sys/stat.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "core/error.h"
#include "fuzz_support.h"
#include "model/run_folder.h"

namespace {

using fm_fuzz::finding;

const std::string& run_dir() {
    static const std::string dir = [] {
        const std::string d = fm_fuzz::scratch_dir() + "/run";
        if (::mkdir(d.c_str(), 0700) != 0) finding("cannot make " + d);
        return d;
    }();
    return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string& dir = run_dir();
    fm_fuzz::write_file(dir + "/config.json", data, size);
    fm_fuzz::write_file(dir + "/metrics.jsonl", data, size);
    try {
        const fm::TrainParams p = fm::read_run_params(dir);
        if (p.output_dir != dir || p.resume) finding("read_run_params: output_dir or resume not reset");
        if (p.device != "cpu" && p.device != "cuda" && p.device != "auto")
            finding("read_run_params: device '" + p.device + "'");
    } catch (const fm::Error& e) {
        if (e.file() != dir) finding(std::string("read_run_params's error does not name the folder: ") + e.what());
    } catch (const std::exception& e) {
        finding(std::string("read_run_params: exception that is not fm::Error: ") + e.what());
    } catch (...) {
        finding("read_run_params: non-standard exception");
    }
    try {
        const std::vector<fm::RunMetric> metrics = fm::read_run_metrics(dir);
        const size_t lines = size_t(std::count(data, data + size, uint8_t('\n'))) + 1;
        if (metrics.size() > lines) finding("read_run_metrics: more metrics than lines");
    } catch (const std::exception& e) {
        finding(std::string("read_run_metrics threw (it skips unreadable lines): ") + e.what());
    } catch (...) {
        finding("read_run_metrics: non-standard exception");
    }
    return 0;
}
