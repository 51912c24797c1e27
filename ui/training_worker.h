// training_worker.h — runs fm::train on a thread of its own and reports back through queued signals.
//
//   auto* thread = new QThread(this);
//   auto* worker = new fm::ui::TrainingWorker;
//   worker->moveToThread(thread);
//   connect(thread, &QThread::finished, worker, &QObject::deleteLater);
//   thread->start();
//   QMetaObject::invokeMethod(worker, [=] { worker->start(params); });   // queued: runs on the worker's thread
//   worker->stop();                  // any thread: the trainer saves `last` and returns (finished(true, ""))
//
// Resume: start again with params.resume = true and the same output folder. Signals carry copies.
// In fm_studio (links fm_model through model/trainer.h, which is torch-free). Thread-safety: start() runs on the
// worker's thread (invoke it queued); stop() and busy() from any thread.
#pragma once

#include <QObject>
#include <QString>

#include <atomic>

#include "core/progress.h"
#include "model/trainer.h"

namespace fm::ui {

class TrainingWorker : public QObject {
    Q_OBJECT
public:
    explicit TrainingWorker(QObject* parent = nullptr);

    void stop();   // any thread: the running training saves `last` and returns
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
};

void registerTrainingMetaTypes();

}  // namespace fm::ui

Q_DECLARE_METATYPE(fm::TrainParams)
Q_DECLARE_METATYPE(fm::TrainStatus)
