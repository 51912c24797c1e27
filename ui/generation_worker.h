// generation_worker.h — runs fm::Engine on a thread of its own (a JobThread) and reports back on the GUI thread.
//
//   auto* worker = new fm::ui::GenerationWorker(nullptr, this);   // or GenerationWorker(engine) with a ready engine
//   connect(worker, &GenerationWorker::progress, view, [..](int level, int step, int of, int window, int windows,
//                                                             const fm::Roll& canvas) {..});
//   worker->loadCheckpoint(path);    // returns at once: engineReady or engineFailed follows
//   worker->start(params);           // returns at once: started, progress..., finished follow
//   worker->cancel();                // partial rolls come back in finished
//   delete worker;                   // cancels the running generation and waits for it
//
// The worker owns the engine (std::shared_ptr, loaded or created on the job thread so that the window stays
// responsive while LibTorch reads a checkpoint). Requests run one after another in the order made. progress is
// throttled to about 30 reports a second, but the first report of each level and the last report of a run always
// arrive. Signals are emitted on the thread that made the worker and carry copies of the rolls.
// In fm_studio (links fm_model). Thread-safety: everything on the worker's own (GUI) thread; cancel() and busy()
// from any thread.
#pragma once

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "core/progress.h"
#include "core/roll.h"
#include "model/generate_params.h"
#include "ui/job_thread.h"
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

    void cancel();                 // any thread: stops the running generation between two steps, and any requested
    bool busy() const { return busy_.load(); }
    static int reportIntervalMs() { return 33; }   // ~30 progress reports a second at most

    void start(const fm::GenerateParams& params);
    // precision: "fp32", "bf16" or "auto" (model/precision.h)
    void loadCheckpoint(const QString& path, const QString& device = QStringLiteral("auto"),
                        const QString& precision = QStringLiteral("auto"));
    void createRandom(const QString& preset, quint64 seed, const QString& precision = QStringLiteral("auto"));

Q_SIGNALS:
    void started();
    // window of windows: a roll wider than the model's trained width is generated in overlapping windows (0-based)
    void progress(int level, int step, int of, int window, int windows, const fm::Roll& canvas);
    void finished(const std::vector<fm::Roll>& rolls, bool cancelled, const QString& error);
    void engineReady(const fm::ui::ModelInfo& info);
    void engineFailed(const QString& error);

private:
    void adopt(std::shared_ptr<Engine> engine);   // on the job thread
    void run(const fm::GenerateParams& params, CancelFlag* cancel);   // on the job thread

    std::shared_ptr<Engine> engine_;   // touched on the job thread only
    JobThread* jobs_;
    std::mutex runs_mutex_;
    std::vector<std::shared_ptr<CancelFlag>> runs_;   // one flag for each requested run that has not finished
    std::atomic<bool> busy_{false};
};

ModelInfo modelInfo(const Engine& engine);

}  // namespace fm::ui
