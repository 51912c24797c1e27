// generation_worker.h — runs fm::Engine on a thread of its own and reports back through queued signals.
//
//   auto* thread = new QThread(this);
//   auto* worker = new fm::ui::GenerationWorker;          // or GenerationWorker(engine) with a ready engine
//   worker->moveToThread(thread);
//   connect(thread, &QThread::finished, worker, &QObject::deleteLater);
//   connect(worker, &GenerationWorker::progress, view, [..](int level, int step, int of, const fm::Roll& canvas) {..});
//   thread->start();
//   QMetaObject::invokeMethod(worker, [=] { worker->start(params); });   // queued: runs on the worker's thread
//   worker->cancel();                                                     // from the GUI thread; partial rolls come back
//
// The worker owns the engine (std::shared_ptr, loaded or created on the worker's thread so that the window stays
// responsive while LibTorch reads a checkpoint). progress is throttled to about 30 reports a second, but the first
// report of each level and the last report of a run always arrive. Signals carry copies of the rolls.
// In fm_studio (links fm_model). Thread-safety: start/load*/create* run on the worker's thread (invoke them queued);
// cancel() and busy() from any thread.
#pragma once

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <vector>

#include "core/progress.h"
#include "core/roll.h"
#include "model/generate_params.h"
#include "ui/studio_metatypes.h"

namespace fm {
class Engine;
}

namespace fm::ui {

class GenerationWorker : public QObject {
    Q_OBJECT
public:
    explicit GenerationWorker(std::shared_ptr<Engine> engine = {}, QObject* parent = nullptr);
    ~GenerationWorker() override;

    void cancel();                 // any thread: stops the running generation between two steps
    bool busy() const { return busy_.load(); }
    static int reportIntervalMs() { return 33; }   // ~30 progress reports a second at most

public Q_SLOTS:
    void start(const fm::GenerateParams& params);
    // precision: "fp32", "bf16" or "auto" (model/precision.h)
    void loadCheckpoint(const QString& path, const QString& device = QStringLiteral("auto"),
                        const QString& precision = QStringLiteral("auto"));
    void createRandom(const QString& preset, quint64 seed, const QString& precision = QStringLiteral("auto"));

Q_SIGNALS:
    void started();
    void progress(int level, int step, int of, const fm::Roll& canvas);
    void finished(const std::vector<fm::Roll>& rolls, bool cancelled, const QString& error);
    void engineReady(const fm::ui::ModelInfo& info);
    void engineFailed(const QString& error);

private:
    void adopt(std::shared_ptr<Engine> engine);

    std::shared_ptr<Engine> engine_;
    CancelFlag cancel_{false};
    std::atomic<bool> busy_{false};
};

ModelInfo modelInfo(const Engine& engine);

}  // namespace fm::ui
