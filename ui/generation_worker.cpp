#include "ui/generation_worker.h"

#include <QCoreApplication>

#include <algorithm>
#include <array>
#include <chrono>
#include <exception>

#include "core/error.h"
#include "model/engine.h"
#include "model/model_config.h"

namespace fm::ui {

ModelInfo modelInfo(const Engine& engine) {
    const ModelConfig& c = engine.config();
    ModelInfo info;
    info.source = QString::fromStdString(engine.source());
    info.preset = QString::fromStdString(c.preset);
    info.generatorTypes = QString::fromStdString(generator_types(c));
    info.device = QString::fromStdString(engine.device());
    info.precision = QString::fromLatin1(precision_name(engine.precision()));
    info.parameters = engine.parameters();
    info.cropLength = c.crop_length;
    info.layout = QString::fromLatin1(to_string(c.layout));
    if (c.track_names.size() > 1)
        for (const std::string& name : c.track_names) info.tracks << QString::fromStdString(name);
    return info;
}

GenerationWorker::GenerationWorker(std::shared_ptr<Engine> engine, QObject* parent)
    : QObject(parent), engine_(std::move(engine)), jobs_(new JobThread(this)) {
    registerStudioMetaTypes();
}

GenerationWorker::~GenerationWorker() {
    cancel();
    delete jobs_;   // waits for the running job; nothing is emitted after this
}

void GenerationWorker::cancel() {
    std::lock_guard<std::mutex> lock(runs_mutex_);
    for (const auto& flag : runs_) flag->store(true);
}

void GenerationWorker::adopt(std::shared_ptr<Engine> engine) {
    engine_ = std::move(engine);
    jobs_->deliver([this, info = modelInfo(*engine_)] { Q_EMIT engineReady(info); });
}

void GenerationWorker::loadCheckpoint(const QString& path, const QString& device, const QString& precision) {
    jobs_->post([this, path, device, precision] {
        try {
            std::shared_ptr<Engine> engine = Engine::load(path.toStdString(), device.toStdString(), parse_precision(precision.toStdString()));
            adopt(std::move(engine));
        } catch (const std::exception& e) {
            jobs_->deliver([this, why = QString::fromUtf8(e.what())] { Q_EMIT engineFailed(why); });
        }
    });
}

void GenerationWorker::createRandom(const QString& preset, quint64 seed, const QString& precision) {
    jobs_->post([this, preset, seed, precision] {
        try {
            adopt(Engine::create(model_preset(preset.toStdString()), seed, "cpu", parse_precision(precision.toStdString())));
        } catch (const std::exception& e) {
            jobs_->deliver([this, why = QString::fromUtf8(e.what())] { Q_EMIT engineFailed(why); });
        }
    });
}

void GenerationWorker::start(const GenerateParams& params) {
    auto flag = std::make_shared<CancelFlag>(false);   // a cancel() after this call stops the run, one before it not
    {
        std::lock_guard<std::mutex> lock(runs_mutex_);
        runs_.push_back(flag);
    }
    jobs_->post([this, params, flag] {
        run(params, flag.get());
        std::lock_guard<std::mutex> lock(runs_mutex_);
        runs_.erase(std::find(runs_.begin(), runs_.end(), flag));
    });
}

void GenerationWorker::run(const GenerateParams& params, CancelFlag* cancel) {
    if (!engine_) {
        jobs_->deliver([this, why = tr("no model is loaded: choose a checkpoint or random weights")] {
            Q_EMIT finished({}, false, why);
        });
        return;
    }
    busy_.store(true);
    jobs_->deliver([this] { Q_EMIT started(); });

    // Throttle: a report goes out when it is the first of its level in this run or when the last one that went out
    // is older than the interval; the newest held-back report goes out at the end, so the last state always arrives.
    using Clock = std::chrono::steady_clock;
    const auto interval = std::chrono::milliseconds(reportIntervalMs());
    std::array<bool, kLevels> seen{};
    Clock::time_point last_sent{};
    struct Held {
        bool any = false;
        int level = 0, step = 0, of = 0, window = 0, windows = 1;
        Roll canvas;
    } held;
    auto report = [&](const Progress& p) {
        const auto now = Clock::now();
        const bool first = p.level >= 0 && p.level < kLevels && !seen[size_t(p.level)];
        if (first || now - last_sent >= interval) {
            if (p.level >= 0 && p.level < kLevels) seen[size_t(p.level)] = true;
            last_sent = now;
            held.any = false;
            jobs_->deliver([this, l = p.level, s = p.step, n = p.of, w = p.window, ws = p.windows,
                            c = p.canvas ? *p.canvas : Roll()] { Q_EMIT progress(l, s, n, w, ws, c); });
            return;
        }
        held.any = true;
        held.level = p.level, held.step = p.step, held.of = p.of, held.window = p.window, held.windows = p.windows;
        if (p.canvas) held.canvas = *p.canvas;
    };

    std::vector<Roll> rolls;
    QString error;
    try {
        rolls = engine_->generate(params, report, cancel);
    } catch (const std::exception& e) {
        error = QString::fromUtf8(e.what());
    }
    if (held.any)
        jobs_->deliver([this, h = std::move(held)] { Q_EMIT progress(h.level, h.step, h.of, h.window, h.windows, h.canvas); });
    const bool was_cancelled = cancel->load();
    busy_.store(false);
    jobs_->deliver([this, r = std::move(rolls), was_cancelled, error] { Q_EMIT finished(r, was_cancelled, error); });
}

}  // namespace fm::ui
