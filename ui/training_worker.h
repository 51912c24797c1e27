// training_worker.h — runs fm::train on a thread of its own (a JobThread) and reports back on the GUI thread.
//
//   auto* worker = new fm::ui::TrainingWorker(this);
//   connect(worker, &TrainingWorker::progress, monitor, ...);
//   worker->start(params);           // returns at once: started, progress..., finished follow
//   worker->setPaused(true);         // the trainer waits after its current step
//   worker->stop();                  // the trainer saves `last` and returns (finished(true, ""))
//   delete worker;                   // stops the run and waits for it
//
// Resume: start again with params.resume = true and the same output folder. Signals are emitted on the thread that
// made the worker and carry copies. In fm_studio (links fm_model through model/trainer.h, which is torch-free).
// Thread-safety: start() on the worker's own (GUI) thread; stop(), setPaused() and busy() from any thread. A pause
// holds the trainer inside its step callback, which the trainer does not count as training time (steps/s and the
// ETA stay right).
#pragma once

#include <QObject>
#include <QString>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "core/progress.h"
#include "model/trainer.h"
#include "ui/job_thread.h"

namespace fm::ui {

class TrainingWorker : public QObject {
    Q_OBJECT
public:
    explicit TrainingWorker(QObject* parent = nullptr);
    ~TrainingWorker() override;

    void stop();   // any thread: the running training saves `last` and returns (a paused one too)
    void setPaused(bool paused);
    bool paused() const;
    bool holding() const { return holding_.load(); }   // the trainer is waiting in a pause (its last step reported)
    bool busy() const { return busy_.load(); }

    void start(const fm::TrainParams& params);

Q_SIGNALS:
    void started();
    void progress(const fm::TrainStatus& status);
    void finished(bool stopped, const QString& error);

private:
    void run(const fm::TrainParams& params);   // on the job thread

    CancelFlag cancel_{false};
    std::atomic<bool> busy_{false}, holding_{false};
    mutable std::mutex pause_mutex_;
    std::condition_variable pause_cv_;
    bool paused_ = false;
    JobThread* jobs_;
};

void registerTrainingMetaTypes();

}  // namespace fm::ui

Q_DECLARE_METATYPE(fm::TrainParams)
Q_DECLARE_METATYPE(fm::TrainStatus)
