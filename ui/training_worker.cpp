#include "ui/training_worker.h"

#include <exception>

namespace fm::ui {

void registerTrainingMetaTypes() {
    qRegisterMetaType<fm::TrainParams>("fm::TrainParams");
    qRegisterMetaType<fm::TrainStatus>("fm::TrainStatus");
}

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent) { registerTrainingMetaTypes(); }

void TrainingWorker::stop() { cancel_.store(true); }

void TrainingWorker::start(const TrainParams& params) {
    cancel_.store(false);
    busy_.store(true);
    Q_EMIT started();
    bool stopped = false;
    QString error;
    try {
        train(params,
              [&](const TrainStatus& s) {
                  if (s.stopped) stopped = true;
                  Q_EMIT progress(s);   // queued across threads: the receiver gets a copy
              },
              &cancel_);
        if (cancel_.load()) stopped = true;
    } catch (const std::exception& e) {
        error = QString::fromUtf8(e.what());
    }
    busy_.store(false);
    Q_EMIT finished(stopped, error);
}

}  // namespace fm::ui
