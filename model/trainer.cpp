#include "trainer.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <fstream>
#include <unordered_set>

#include "core/dataset.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/log.h"
#include "core/midi_roll.h"
#include "core/safetensors.h"
#include "core/track_rolls.h"
#include "model/canvas.h"
#include "model/checkpoint.h"
#include "model/conditions.h"
#include "model/distributed.h"
#include "model/fractal_net.h"
#include "model/generator.h"
#include "model/mixed_precision.h"
#include "model/run_folder.h"
#include "model/scoring.h"

namespace fm {

namespace fs = std::filesystem;

namespace {

uint64_t mix(uint64_t seed, uint64_t step) {   // splitmix64 of (seed, step)
    uint64_t z = seed * 0x9E3779B97F4A7C15ull + step + 0x632BE59BD9B4E5Full;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// What a run sets of a model whether it starts fresh or from another run's weights (--init_from keeps the source's
// architecture: preset, generator types, scan order).
void set_run_fields(ModelConfig& c, const TrainParams& p) {
    c.layout = parse_layout(p.layout);
    c.crop_length = p.crop_length;
    c.cells = parse_cell_coding(p.cells);
    c.pitch_positions = p.pitch_positions;
    c.plan = p.plan;
    c.conditions = p.plan && p.conditions;
    c.level_style = c.conditions;   // the levels' style table (zero at first: --init_from starts as its source)
    // Heights and tracks change no weight's shape but the track table's: a one-track 128-pitch model can start an
    // 88-key or a multi-track run (--init_from), its levels' weights all kept.
    parse_pitch_range(p.pitch_range, &c.pitch_low, &c.pitch_high);
    c.track_names = p.tracks.empty() ? std::vector<std::string>{} : track_roles(parse_track_map(p.tracks));
    check_heights_and_tracks(c);
}

ModelConfig make_config(const TrainParams& p) {
    ModelConfig c = model_preset(p.model);
    set_generator_types(c, p.generator_types);
    c.scan = parse_scan_order(p.scan_order);
    set_run_fields(c, p);
    return c;
}

double learning_rate(const TrainParams& p, int step) {
    if (step < p.warmup_steps) return p.lr * (step + 1) / p.warmup_steps;
    const double t = double(step - p.warmup_steps) / std::max(1, p.max_steps - p.warmup_steps);
    return p.lr * (0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * std::min(t, 1.0))));
}

// The first line of val_files.txt when the corpus was too small to hold a file out.
constexpr const char* kNothingHeldOut = "# nothing held out (too few files): validation uses the training files, listed here";

// A resumed run holds out what it held out before: a training file that the folder's val_files.txt (written when the
// run started) lists means the split changed, say another --val_fraction or --seed than the run's.
void check_same_split(const std::string& list_path, const Dataset& ds, const std::vector<int>& train_files) {
    std::ifstream f(list_path);
    if (!f) return;
    std::unordered_set<std::string> held_out;
    for (std::string line; std::getline(f, line);) {
        if (line == kNothingHeldOut) return;   // the run validated on its training files: nothing to keep apart
        if (!line.empty() && line[0] != '#') held_out.insert(line);
    }
    bool every_file = true;   // a list from before that line was written, of a run that held nothing out
    for (int i = 0; i < ds.size() && every_file; ++i) every_file = held_out.count(ds.file(i).path) > 0;
    if (every_file) return;
    size_t n = 0;
    std::string first;
    for (int i : train_files)
        if (held_out.count(ds.file(i).path) && n++ == 0) first = ds.file(i).path;
    if (n > 0)
        throw Error("resuming would train on " + std::to_string(n) + " file(s) this run held out (" + first +
                        (n > 1 ? ", ..." : "") + "): give it the --val_fraction and --seed it started with",
                    list_path);
}

std::string scan_line(const CacheSummary& s, const std::string& source) {
    std::string line = "dataset " + source + ": " + std::to_string(s.files) + " MIDI files, " + std::to_string(s.usable) +
                       " usable, " + std::to_string(s.empty) + " without notes, " + std::to_string(s.failed) + " failed";
    for (const CacheFailure& f : s.failures) line += "\n  skipped " + f.path + ": " + f.reason;
    return line;
}

void write_file_list(const std::string& path, const Dataset& ds, const std::vector<int>& files, bool nothing_held_out) {
    std::string text = nothing_held_out ? std::string(kNothingHeldOut) + "\n"
                                        : "# held-out files of this run (fractalmidi eval --data takes this list)\n";
    for (int i : files) text += ds.file(i).path + "\n";
    write_file_atomic(path, text.data(), text.size());
}

// An exclusive flock on a file in the run folder, held while training; the kernel drops it when the process ends,
// so a crashed run can be resumed at once.
class FolderLock {
public:
    explicit FolderLock(const std::string& path) : fd_(::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644)) {
        if (fd_ < 0) throw Error(std::string("cannot create the lock file: ") + std::strerror(errno), path);
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd_);
            throw Error("another training run is using this folder (stop it first)", fs::path(path).parent_path().string());
        }
    }
    ~FolderLock() { ::close(fd_); }
    FolderLock(const FolderLock&) = delete;
    FolderLock& operator=(const FolderLock&) = delete;

private:
    int fd_;
};

void append_line(const std::string& path, const std::string& line) {
    std::ofstream f(path, std::ios::app);
    f << line << "\n";
    f.flush();   // a full disk shows here, not in a destructor that cannot report it
    if (!f) throw Error(std::string("cannot append to the metrics file (") + std::strerror(errno) + ")", path);
}

// A run killed mid-way (power cut, SIGKILL, a full disk) leaves two kinds of debris, cleared when a run starts in the
// folder, resumed or anew (under the folder's lock, so no other run is writing): the temporary file of a checkpoint
// write cut short (write_file_atomic's "<file>.tmp<digits>"), and metrics.jsonl lines for steps after the one the
// run starts from, which it trains again (and may end in a torn line). Returns the number of partial files removed.
int clear_crash_debris(const std::string& dir, int resumed_step) {
    int removed = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const fs::path target = partial_write_target(e.path().filename().string());
        if (target.extension() == ".safetensors" && e.is_regular_file(ec) && fs::remove(e.path(), ec)) ++removed;
    }
    const std::string metrics = dir + "/metrics.jsonl";
    std::ifstream in(metrics);
    if (!in) return removed;
    std::string kept, line;
    bool dropped = false;
    while (std::getline(in, line)) {
        const auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_discarded() && j.is_object() && j.contains("step") && j["step"].is_number_integer() &&
            j["step"].get<int64_t>() <= resumed_step)
            kept += line + "\n";
        else
            dropped = true;
    }
    in.close();
    if (dropped) write_file_atomic(metrics, kept.data(), kept.size());
    return removed;
}

// The plan conditions of a batch of crops: each crop's own (conditions_of: its key, chords, densities, the file's tempo
// and corpus), each left out with chance `dropout`, and all of them with chance dropout / 2. A crop of an unknown corpus
// or of POP909 (the default models' own) may lose its style too; one of another corpus always keeps it, so that asking
// for no style is asking for the default corpus, and unconditional samples stay what the default models made.
PlanConditions training_conditions(const std::vector<Roll>& crops, const std::vector<DatasetFile>& files, double dropout,
                                   uint64_t seed, const torch::Device& device) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<Conditions> all;
    for (size_t i = 0; i < crops.size(); ++i) {
        const Style style = style_of_path(files[i].path);
        Conditions c = conditions_of(flatten_tracks(crops[i]), files[i].bpm, style);   // all tracks together
        const bool none = u(rng) < dropout / 2;
        if (none || u(rng) < dropout) c.key = -1;
        if (none || u(rng) < dropout) c.chords.clear();
        if (none || u(rng) < dropout) c.density.clear();
        if (none || u(rng) < dropout || files[i].bpm <= 0) c.tempo = 0;
        if ((none || u(rng) < dropout) && (style == Style::pop || style == Style::any)) c.style = Style::any;
        all.push_back(std::move(c));
    }
    const int64_t bars = crops.front().width / kStepsPerPlanBar;
    PlanConditions cond = plan_conditions(all, int64_t(all.size()), 0, bars, device);
    cond.need = cond.allow = cond.extra = torch::Tensor();   // training scores the data's plan: nothing is ruled out
    return cond;
}

// The conditions of crops [lo, hi) of a batch.
PlanConditions slice_conditions(const PlanConditions& c, int64_t lo, int64_t hi) {
    if (!c.defined()) return c;
    PlanConditions out;
    auto cut = [&](const torch::Tensor& t) { return t.defined() ? t.slice(0, lo, hi) : t; };
    out.key = cut(c.key), out.style = cut(c.style), out.tempo = cut(c.tempo), out.chord = cut(c.chord), out.density = cut(c.density);
    out.need = cut(c.need), out.allow = cut(c.allow), out.extra = cut(c.extra);
    return out;
}

constexpr int kRankTimeoutS = 60;   // a rank that does not answer for this long stops the others (distributed.h)

}  // namespace

void train(const TrainParams& p, const std::function<void(const TrainStatus&)>& on_step, const CancelFlag* cancel) {
    validate(p);
    // One rank of a data-parallel job when torchrun's variables say so (model/distributed.h); else a world of one.
    const DistEnv dist = dist_env();
    torch::Device device = resolve_device(p.device);
    if (device.is_cuda() && !device.has_index() && dist.world > 1) device = torch::Device(torch::kCUDA, int8_t(dist.local_rank));   // a GPU per local rank
    const bool bf16 = resolve_precision(parse_precision(p.precision), device.is_cuda()) == Precision::bf16;
    use_threads(p.threads);
    // Every rank draws the same global batch and learns from its slice; rank 0 alone reads the data into the caches,
    // holds the folder, validates and writes.
    const std::unique_ptr<ProcessGroup> group = ProcessGroup::join(dist, std::chrono::seconds(kRankTimeoutS));
    const bool lead = group->rank() == 0;
    std::error_code ec;
    fs::create_directories(p.output_dir, ec);
    if (ec) throw Error("cannot create the output folder: " + ec.message(), p.output_dir);
    std::optional<FolderLock> lock;   // one run per folder, across processes too
    if (lead) lock.emplace(p.output_dir + "/train.lock");

    // Data: caches beside the run, rebuilt only where the sources changed.
    const std::string train_cache = p.output_dir + "/train.fmcache", val_cache = p.output_dir + "/val.fmcache";
    CacheSummary ts;
    if (lead) {
        CacheOptions cache_options;
        cache_options.track_map = p.tracks;   // a multi-track run: each note keeps its track
        cache_options.import.align_beats = p.align_beats;
        ts = build_cache(p.train_data, train_cache, cache_options, {}, cancel);
        if (!ts.cancelled && !p.val_data.empty()) build_cache(p.val_data, val_cache, cache_options, {}, cancel);
    }
    if (group->world() > 1) {   // the others wait for the caches (and all hear whether the lead was cancelled)
        if (group->all_reduce_sum(ts.cancelled ? 1.0 : 0.0) > 0) return;
    } else if (ts.cancelled) {
        return;
    }
    Dataset train_set = Dataset::open(train_cache);
    if (train_set.size() == 0) throw Error("no usable MIDI file (" + std::to_string(ts.failed) + " failed)", p.train_data);
    std::vector<int> train_files, val_files;
    Dataset val_store = p.val_data.empty() ? Dataset::open(train_cache) : Dataset::open(val_cache);
    bool nothing_held_out = false;
    if (p.val_data.empty()) {
        Split split = split_files(train_set, p.val_fraction, p.seed);
        train_files = split.train, val_files = split.val;
        if (p.resume && fs::exists(p.output_dir + "/last.safetensors"))
            check_same_split(p.output_dir + "/val_files.txt", train_set, train_files);
        if (val_files.empty()) val_files = train_files, nothing_held_out = true;   // a tiny corpus: validate on what it has
    } else {
        for (int i = 0; i < train_set.size(); ++i) train_files.push_back(i);
        for (int i = 0; i < val_store.size(); ++i) val_files.push_back(i);
    }
    if (train_files.empty()) throw Error("no training file left after the validation split", p.train_data);
    if (lead) write_file_list(p.output_dir + "/val_files.txt", val_store, val_files, nothing_held_out);

    // Model and optimiser; resume takes both from `last`.
    ModelConfig config = make_config(p);
    const std::string last_path = p.output_dir + "/last.safetensors", best_path = p.output_dir + "/best.safetensors";
    int start_step = 0;
    double best_val = 1e30;
    Metadata meta;
    FractalNet net = (p.resume && fs::exists(last_path)) ? load_net(last_path, device, &meta) : FractalNet(nullptr);
    if (p.resume && !fs::exists(last_path)) log_warning("--resume: %s not found; starting a new run", last_path.c_str());
    if (!meta.empty()) {
        config = net->config();
        start_step = std::stoi(meta.at("step"));
        if (meta.count("best_val_bits")) best_val = std::stod(meta.at("best_val_bits"));
    } else if (!p.init_from.empty()) {
        const auto source_meta = read_safetensors_metadata(p.init_from);
        const auto cfg = source_meta.find("config");
        if (cfg == source_meta.end()) throw Error("--init_from: not a FractalMIDI checkpoint (no config)", p.init_from);
        config = config_from_json(cfg->second);   // the source's architecture, at this run's width, layout and cells
        const bool source_conditions = config.conditions;
        set_run_fields(config, p);
        // Teaching a model conditions by its plan alone keeps its old prior for samples that ask for nothing (the new
        // one's own unconditional path learns from a fraction of the crops, and other corpora share its weights).
        // Teaching the levels style alone changes nothing that asks for no style: the source's priors stay as they are.
        if (p.train_only != "style") config.free_plan = p.train_only == "plan" && config.conditions && (!source_conditions || config.free_plan);
        config.gate_flag = true;   // new in this run if the source had none: the flag's vectors start at zero
        config.rhythm = config.plan;   // likewise the plan's rhythm: its inputs start at zero, its heads fresh
        // (and the conditions' tables, set_run_fields: zero at first)
        net = seeded_net(config, p.seed);
        const auto left = warm_start(p.init_from, net);
        std::string names;
        for (const auto& n : left) names += " " + n;
        if (!left.empty()) log_info("--init_from: %zu tensors start fresh (new in this run's model):%s", left.size(), names.c_str());
    } else {
        net = seeded_net(config, p.seed);
    }
    // A pitch range (the model's: a resumed run's own): the notes outside it are silence to the model, counted so that
    // a wrong range shows.
    if (lead && (config.pitch_low > 0 || config.pitch_high < 127)) {
        int64_t outside = 0, all = 0;
        for (int f : train_files)
            for (const StepNote& n : train_set.notes(f)) outside += n.pitch < config.pitch_low || n.pitch > config.pitch_high, ++all;
        if (outside > 0)
            log_warning("%lld of %lld training notes lie outside the pitch range %d-%d: the model sees them as silence",
                        (long long)outside, (long long)all, config.pitch_low, config.pitch_high);
    }
    // What a killed run left is cleared, and metrics past the step this run starts from: a resume's, and also those
    // of a run killed before its first checkpoint (or of an earlier run) when this one starts again at step 0.
    if (const int removed = lead ? clear_crash_debris(p.output_dir, start_step) : 0)
            log_info("removed %d partial checkpoint file(s) left by an interrupted write", removed);
    const bool plan_only_run = p.train_only == "plan", style_only_run = p.train_only == "style";
    if (!p.train_only.empty() && meta.empty() && p.init_from.empty())
        throw Error("--train_only " + p.train_only + " trains part of an existing model: give --init_from (or --resume a run)");
    // The rest keeps its weights: no gradient, no optimiser state. plan: the plan prior; style: the levels' style tables.
    if (!p.train_only.empty())
        for (auto& kv : net->named_parameters()) {
            const std::string& name = kv.key();
            const bool trained = plan_only_run ? name.rfind("plan.", 0) == 0 : name.find(".style_embed.") != std::string::npos;
            if (!trained) kv.value().set_requires_grad(false);
        }
    net->to(device);
    torch::optim::AdamW opt(net->parameters(), torch::optim::AdamWOptions(p.lr).weight_decay(p.weight_decay).betas({0.9, 0.95}));
    // The moving average of the weights (a second net of the same shape; empty when --ema 0).
    FractalNet ema_net{nullptr};
    if (p.ema > 0) {
        ema_net = seeded_net(config, p.seed);   // its weights are the net's copy; seeded so nothing else is drawn
        ema_net->to(device);
        torch::NoGradGuard no_grad;
        auto own = net->parameters(), avg = ema_net->parameters();
        for (size_t i = 0; i < own.size(); ++i) avg[i].copy_(own[i]), avg[i].set_requires_grad(false);
    }
    if (!meta.empty()) load_checkpoint_into(last_path, net, &opt, nullptr, ema_net ? &ema_net : nullptr);
    FractalNet& judged = ema_net ? ema_net : net;   // validated, previewed and kept as best

    TrainParams as_used = p;   // config.json: the settings with device and precision as resolved
    as_used.device = device.str(), as_used.precision = bf16 ? "bf16" : "fp32";
    RunSummary summary;
    summary.train_files = int64_t(train_files.size()), summary.val_files = int64_t(val_files.size());
    for (const auto& t : net->parameters()) summary.parameters += t.numel();
    summary.model_config = config_to_json(config);
    if (lead) write_run_params(p.output_dir, as_used, summary);
    log_info("training %s (%lld parameters) on %zu files, validating on %zu; from step %d to %d", p.model.c_str(),
             (long long)summary.parameters, train_files.size(), val_files.size(), start_step, p.max_steps);

    // A fixed validation set.
    std::vector<Roll> val_rolls;
    const int tracks = track_count(config);
    CropSampler val_sampler(val_store, val_files, {p.crop_length, 0, mix(p.seed, 0xBA1), kStepsPerBar, tracks}   /* crops start on bar lines: the model learns where beats fall */);
    for (int i = 0; i < p.val_crops; ++i) val_rolls.push_back(val_sampler.next());
    const torch::Tensor val_canvas = rolls_to_canvas(val_rolls, config, device, 0.0f);
    auto validate = [&]() {
        torch::NoGradGuard no_grad;
        judged->eval();
        auto gen = at::detail::createCPUGenerator(mix(p.seed, 0xE7A1));
        const double bits = bits_per_cell(judged, val_canvas, {}, gen);
        net->train();
        return bits;
    };
    int saved_step = meta.empty() ? -1 : start_step;   // the step of the last good last.safetensors (-1: none yet)
    // A write that failed (a full disk, say) stops the run with what failed and what is still safe.
    auto stopped = [&](int step, const std::string& what, const std::string& file) {
        return Error("training stopped at step " + std::to_string(step) + ": " + what + ". " +
                         (saved_step >= 0 ? "The last checkpoint, of step " + std::to_string(saved_step) + ", is intact: " +
                                                last_path + "; free some space and resume."
                                          : std::string("No checkpoint was saved yet.")),
                     file);
    };
    auto save = [&](const std::string& path, int step) {   // best: the judged weights alone; last: everything to resume
        const Metadata meta_out{{"step", std::to_string(step)}, {"best_val_bits", std::to_string(best_val)}};
        try {
            if (path == best_path && ema_net) save_checkpoint(path, ema_net, nullptr, meta_out);
            else save_checkpoint(path, net, &opt, meta_out, false, ema_net ? &ema_net : nullptr);
        } catch (const Error& e) {
            throw stopped(step, "cannot save the checkpoint (" + e.reason() + ")", path);
        }
        if (path == last_path) saved_step = step;
    };

    auto sample_now = [&](int step, TrainStatus& s) {
        torch::NoGradGuard no_grad;
        GenerateParams g;
        g.width = config.crop_length;
        g.seed = mix(p.seed, 0x5A3D + uint64_t(step));
        const Roll made = generate(judged, g, {}, cancel).front();
        s.sample = flatten_tracks(made);   // shown as one roll; saved with its tracks
        net->train();
        if (cancelled(cancel)) return;   // a partial roll: shown, not saved
        const std::string dir = p.output_dir + "/samples";
        s.sample_path = dir + "/step_" + std::to_string(step) + ".mid";
        std::error_code ec;
        fs::create_directories(dir, ec);
        try {
            if (track_count(config) > 1) save_midi_tracks(s.sample_path, split_tracks(made, config.track_names));
            else save_midi(s.sample_path, s.sample);
        } catch (const Error& e) {
            log_warning("sample not saved: %s", e.what());
            s.sample_path.clear();
        }
    };

    if (lead) {
        TrainStatus s;
        s.step = start_step, s.max_steps = p.max_steps, s.scanned = true, s.dataset = ts;
        s.message = scan_line(ts, p.train_data);
        if (on_step) on_step(s);
    }

    // Data-parallel: each trainable parameter's gradient summed over the ranks, bucket by bucket during backward.
    std::optional<GradientReducer> reducer;
    if (group->world() > 1) {
        std::vector<torch::Tensor> trainable;
        for (auto& t : net->parameters())
            if (t.requires_grad()) trainable.push_back(t);
        reducer.emplace(*group, trainable);
    }

    net->train();
    auto t0 = std::chrono::steady_clock::now();
    double outside_s = 0;   // time spent in on_step: not training
    int done = 0;
    for (int step = start_step; step < p.max_steps; ++step) {
        bool stop = cancelled(cancel);
        if (group->world() > 1) stop = group->all_reduce_sum(stop ? 1.0 : 0.0) > 0;   // one rank stopped: all stop
        if (stop) {
            if (!lead) return;
            save(last_path, step);
            TrainStatus s;
            s.step = step, s.max_steps = p.max_steps, s.stopped = true, s.message = "stopped at step " + std::to_string(step) + "; saved " + last_path;
            if (on_step) on_step(s);
            return;
        }
        const double lr = learning_rate(p, step);
        for (auto& group : opt.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
        CropSampler sampler(train_set, train_files, {p.crop_length, p.pitch_shift, mix(p.seed, uint64_t(step) + 1), kStepsPerBar, tracks}   /* crops start on bar lines: the model learns where beats fall */);
        std::vector<Roll> batch;
        std::vector<DatasetFile> batch_files, plan_files;
        const int full = plan_only_run ? 0 : p.train_batch_size;   // crops the whole model learns from
        for (int i = 0; i < full; ++i) batch.push_back(sampler.next()), batch_files.push_back(train_set.file(sampler.last_file()));
        std::vector<Roll> plan_only;   // further crops for the bar-plan prior alone
        if (config.plan && !style_only_run)
            for (int i = full; i < std::max(p.plan_batch, plan_only_run ? p.train_batch_size : 0); ++i)
                plan_only.push_back(sampler.next()), plan_files.push_back(train_set.file(sampler.last_file()));
        auto gen = at::detail::createCPUGenerator(mix(p.seed ^ 0x5EED, uint64_t(step)));
        auto labels = [&](const std::vector<Roll>& crops, const std::vector<DatasetFile>& files, uint64_t salt) {
            return config.conditions && !crops.empty()
                       ? training_conditions(crops, files, p.condition_dropout, mix(p.seed ^ salt, uint64_t(step)), device)
                       : PlanConditions{};
        };
        // This rank's slice of the global batch (all of it in a world of one).
        const int rank = group->rank(), world = group->world();
        auto lo = [&](size_t n) { return int64_t(n) * rank / world; };
        auto hi = [&](size_t n) { return int64_t(n) * (rank + 1) / world; };
        torch::Tensor loss, nll_total;
        double cells = 0;
        {
            Autocast autocast(device, bf16);
            torch::Tensor nll = torch::zeros({}, torch::TensorOptions().device(device)), count = torch::zeros({}, torch::TensorOptions().device(device));
            if (plan_only_run) {   // nats of the plans per cell of their crops: bits/cell of the plan alone
                count = torch::full({}, double(plan_only.size()) * kPitches * p.crop_length, torch::TensorOptions().device(device)) / world;
            } else if (hi(batch.size()) > lo(batch.size())) {
                // Each crop's masks come from its own key (its step and its place in the global batch), not from the
                // batch's draws: a crop's loss does not depend on its batch mates, so the slices add up to the batch.
                const int64_t a = lo(batch.size()), b = hi(batch.size());
                auto keys = torch::empty({b - a}, torch::kLong);
                for (int64_t i = a; i < b; ++i) keys[i - a] = int64_t(mix(mix(p.seed ^ 0xC209, uint64_t(step)), uint64_t(i)) >> 1);
                const std::vector<Roll> mine(batch.begin() + a, batch.begin() + b);
                std::tie(nll, count) = net->loss({rolls_to_canvas(mine, config, device, 0.0f), slice_conditions(labels(batch, batch_files, 0xC0DE), a, b)}, gen, keys);
            }
            if (hi(plan_only.size()) > lo(plan_only.size())) {
                const int64_t a = lo(plan_only.size()), b = hi(plan_only.size());
                const std::vector<Roll> mine(plan_only.begin() + a, plan_only.begin() + b);
                nll = nll + net->plan_nll({rolls_to_canvas(mine, config, device, 0.0f), slice_conditions(labels(plan_only, plan_files, 0xC0DF), a, b)}).sum();
            }
            // Divided by the cells of the whole global batch, so that the ranks' gradients add up to the batch's.
            cells = world > 1 ? group->all_reduce_sum(count.item<double>()) : count.item<double>();
            loss = nll / cells;
            nll_total = nll.detach();
        }
        opt.zero_grad();
        if (loss.requires_grad()) loss.backward();   // (a rank whose slice is empty this step has no graph)
        if (reducer) reducer->finish();   // the ranks' gradients summed (buckets sent while backward ran)
        torch::nn::utils::clip_grad_norm_(net->parameters(), p.grad_clip);
        opt.step();
        if (ema_net) {
            torch::NoGradGuard no_grad;
            const double d = std::min(p.ema, (1.0 + step) / (10.0 + step));
            auto own = net->parameters(), avg = ema_net->parameters();
            for (size_t i = 0; i < own.size(); ++i) avg[i].mul_(d).add_(own[i], 1.0 - d);
        }
        ++done;
        const double nats = world > 1 ? group->all_reduce_sum(nll_total.item<double>()) : nll_total.item<double>();
        if (!lead) continue;   // rank 0 alone validates, logs and writes

        TrainStatus s;
        s.step = step + 1, s.max_steps = p.max_steps, s.lr = lr;
        s.loss_bits = nats / std::max(cells, 1e-12) / std::log(2.0);
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() - outside_s;
        s.steps_per_s = done / std::max(elapsed, 1e-9);
        s.eta_s = (p.max_steps - s.step) / std::max(s.steps_per_s, 1e-9);
        nlohmann::json line = {{"step", s.step}, {"loss_bits", s.loss_bits}, {"lr", lr}, {"steps_per_s", s.steps_per_s}, {"elapsed_s", elapsed}};
        const bool checkpoint = s.step % p.eval_every == 0 || s.step == p.max_steps;
        bool new_best = false;
        if (checkpoint) {
            s.val_bits = validate();
            line["val_bits"] = s.val_bits;
            new_best = s.val_bits < best_val;
            if (new_best) best_val = s.val_bits;
        }
        if (p.sample_every > 0 && s.step % p.sample_every == 0) {
            sample_now(s.step, s);
            if (!s.sample_path.empty()) line["sample"] = s.sample_path;
        }
        // The step's line first, then its checkpoint: a kill between the two leaves a line the resume trims, where
        // the other order would leave a checkpoint whose step has no line.
        try {
            append_line(p.output_dir + "/metrics.jsonl", line.dump());
        } catch (const Error& e) {
            throw stopped(s.step, e.reason(), e.file());
        }
        if (new_best) {
            save(best_path, s.step);
            s.message = "new best validation " + std::to_string(best_val) + " bits/cell; saved " + best_path;
        }
        if (checkpoint) save(last_path, s.step);
        const auto before = std::chrono::steady_clock::now();
        if (on_step) on_step(s);
        outside_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - before).count();
    }
}

}  // namespace fm
