#include "ui/job_thread.h"

#include <QPointer>

namespace fm::ui {

JobThread::JobThread(QObject* parent) : QObject(parent), thread_([this] { run(); }) {}

JobThread::~JobThread() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        quit_ = true;
        jobs_.clear();
    }
    wake_.notify_all();
    thread_.join();
    std::lock_guard<std::mutex> lock(mutex_);
    deliveries_.clear();   // ~QObject drops the queued drain() calls
}

void JobThread::post(std::function<void()> job) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (quit_) return;
        jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
}

void JobThread::deliver(std::function<void()> fn) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (quit_) return;
        deliveries_.push_back(std::move(fn));
    }
    // One wake-up per delivery, so that a delivery that opens a nested event loop does not hold back the next ones.
    QMetaObject::invokeMethod(this, "drain", Qt::QueuedConnection);
}

void JobThread::drain() {
    const QPointer<JobThread> alive(this);   // a delivery may delete the owner, and this with it
    while (alive) {
        std::function<void()> fn;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (deliveries_.empty()) return;
            fn = std::move(deliveries_.front());
            deliveries_.pop_front();
        }
        fn();
    }
}

void JobThread::run() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [this] { return quit_ || !jobs_.empty(); });
            if (quit_) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        job();
    }
}

}  // namespace fm::ui
