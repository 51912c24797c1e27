#include "ui/training_worker.h"

#include <exception>

namespace fm::ui {

void registerTrainingMetaTypes() {
    qRegisterMetaType<fm::TrainParams>("fm::TrainParams");
    qRegisterMetaType<fm::TrainStatus>("fm::TrainStatus");
}

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent), jobs_(new JobThread(this)) { registerTrainingMetaTypes(); }

TrainingWorker::~TrainingWorker() {
    stop();
    delete jobs_;   // waits for the trainer to save and return; nothing is emitted after this
}

void TrainingWorker::stop() {
    {
        std::lock_guard<std::mutex> lock(pause_mutex_);
        cancel_.store(true);
    }
    pause_cv_.notify_all();
}

void TrainingWorker::setPaused(bool paused) {
    {
        std::lock_guard<std::mutex> lock(pause_mutex_);
        paused_ = paused;
    }
    pause_cv_.notify_all();
}

bool TrainingWorker::paused() const {
    std::lock_guard<std::mutex> lock(pause_mutex_);
    return paused_;
}

void TrainingWorker::start(const TrainParams& params) {
    cancel_.store(false);   // a stop() after this call stops the run
    setPaused(false);
    jobs_->post([this, params] { run(params); });
}

void TrainingWorker::run(const TrainParams& params) {
    busy_.store(true);
    jobs_->deliver([this] { Q_EMIT started(); });
    bool stopped = false;
    QString error;
    try {
        train(params,
              [&](const TrainStatus& s) {
                  if (s.stopped) stopped = true;
                  jobs_->deliver([this, s] { Q_EMIT progress(s); });
                  std::unique_lock<std::mutex> lock(pause_mutex_);
                  holding_.store(paused_ && !cancel_.load());
                  pause_cv_.wait(lock, [this] { return !paused_ || cancel_.load(); });
                  holding_.store(false);
              },
              &cancel_);
        if (cancel_.load()) stopped = true;
    } catch (const std::exception& e) {
        error = QString::fromUtf8(e.what());
    }
    busy_.store(false);
    jobs_->deliver([this, stopped, error] { Q_EMIT finished(stopped, error); });
}

}  // namespace fm::ui
