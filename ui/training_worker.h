// training_worker.h — runs fm::train on a thread of its own and reports back through queued signals.
//
//   auto* thread = new QThread(this);
//   auto* worker = new fm::ui::TrainingWorker;
//   worker->moveToThread(thread);
//   connect(thread, &QThread::finished, worker, &QObject::deleteLater);
//   thread->start();
//   QMetaObject::invokeMethod(worker, [=] { worker->start(params); });   // queued: runs on the worker's thread
//   worker->setPaused(true);         // any thread: the trainer waits after its current step
//   worker->stop();                  // any thread: the trainer saves `last` and returns (finished(true, ""))
//
// Resume: start again with params.resume = true and the same output folder. Signals carry copies.
// In fm_studio (links fm_model through model/trainer.h, which is torch-free). Thread-safety: start() runs on the
// worker's thread (invoke it queued); stop(), setPaused() and busy() from any thread. A pause holds the trainer
// inside its step callback, which the trainer does not count as training time (steps/s and the ETA stay right).
#pragma once

#include <QObject>
#include <QString>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "core/progress.h"
#include "model/trainer.h"

namespace fm::ui {

class TrainingWorker : public QObject {
    Q_OBJECT
public:
    explicit TrainingWorker(QObject* parent = nullptr);

    void stop();   // any thread: the running training saves `last` and returns (a paused one too)
    void setPaused(bool paused);
    bool paused() const;
    bool busy() const { return busy_.load(); }

public Q_SLOTS:
    void start(const fm::TrainParams& params);

Q_SIGNALS:
    void started();
    void progress(const fm::TrainStatus& status);
    void finished(bool stopped, const QString& error);

private:
    CancelFlag cancel_{false};
    std::atomic<bool> busy_{false};
    mutable std::mutex pause_mutex_;
    std::condition_variable pause_cv_;
    bool paused_ = false;
};

void registerTrainingMetaTypes();

}  // namespace fm::ui

Q_DECLARE_METATYPE(fm::TrainParams)
Q_DECLARE_METATYPE(fm::TrainStatus)
