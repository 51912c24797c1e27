#include "ui/generation_worker.h"

#include <QCoreApplication>

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
    return info;
}

GenerationWorker::GenerationWorker(std::shared_ptr<Engine> engine, QObject* parent)
    : QObject(parent), engine_(std::move(engine)) {
    registerStudioMetaTypes();
}

GenerationWorker::~GenerationWorker() = default;

void GenerationWorker::cancel() { cancel_.store(true); }

void GenerationWorker::adopt(std::shared_ptr<Engine> engine) {
    engine_ = std::move(engine);
    Q_EMIT engineReady(modelInfo(*engine_));
}

void GenerationWorker::loadCheckpoint(const QString& path, const QString& device, const QString& precision) {
    try {
        adopt(Engine::load(path.toStdString(), device.toStdString(), parse_precision(precision.toStdString())));
    } catch (const std::exception& e) {
        Q_EMIT engineFailed(QString::fromUtf8(e.what()));
    }
}

void GenerationWorker::createRandom(const QString& preset, quint64 seed, const QString& precision) {
    try {
        adopt(Engine::create(model_preset(preset.toStdString()), seed, "cpu", parse_precision(precision.toStdString())));
    } catch (const std::exception& e) {
        Q_EMIT engineFailed(QString::fromUtf8(e.what()));
    }
}

void GenerationWorker::start(const GenerateParams& params) {
    cancel_.store(false);
    if (!engine_) {
        Q_EMIT finished({}, false, tr("no model is loaded: choose a checkpoint or random weights"));
        return;
    }
    busy_.store(true);
    Q_EMIT started();

    // Throttle: a report goes out when it is the first of its level in this run or when the last one that went out
    // is older than the interval; the newest held-back report goes out at the end, so the last state always arrives.
    using Clock = std::chrono::steady_clock;
    const auto interval = std::chrono::milliseconds(reportIntervalMs());
    std::array<bool, kLevels> seen{};
    Clock::time_point last_sent{};
    struct Held {
        bool any = false;
        int level = 0, step = 0, of = 0;
        Roll canvas;
    } held;
    auto report = [&](const Progress& p) {
        const auto now = Clock::now();
        const bool first = p.level >= 0 && p.level < kLevels && !seen[size_t(p.level)];
        if (first || now - last_sent >= interval) {
            if (p.level >= 0 && p.level < kLevels) seen[size_t(p.level)] = true;
            last_sent = now;
            held.any = false;
            Q_EMIT progress(p.level, p.step, p.of, p.canvas ? *p.canvas : Roll());
            return;
        }
        held.any = true;
        held.level = p.level, held.step = p.step, held.of = p.of;
        if (p.canvas) held.canvas = *p.canvas;
    };

    std::vector<Roll> rolls;
    QString error;
    try {
        rolls = engine_->generate(params, report, &cancel_);
    } catch (const std::exception& e) {
        error = QString::fromUtf8(e.what());
    }
    if (held.any) Q_EMIT progress(held.level, held.step, held.of, held.canvas);
    const bool was_cancelled = cancel_.load();
    busy_.store(false);
    Q_EMIT finished(rolls, was_cancelled, error);
}

}  // namespace fm::ui
