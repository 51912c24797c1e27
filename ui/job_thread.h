// job_thread.h — one std::thread that runs jobs in order, and the way back to the thread that owns it.
//
//   auto* jobs = new fm::ui::JobThread(this);                  // lives on the GUI thread, starts its thread
//   jobs->post([=] {                                            // runs on the job thread, after the jobs before it
//       Result r = work();
//       jobs->deliver([=] { Q_EMIT done(r); });                 // runs on the GUI thread, in the order delivered
//   });
//   delete jobs;                                                // waits for the running job (cancel it first)
//
// Why not a QThread with queued signals: a value handed over that way is ordered by a mutex inside Qt, which
// ThreadSanitizer cannot see (Debian's Qt is not instrumented), so every hand-over reported as a race and would hide
// a real one. Here every value crosses under a std::mutex that TSan does see; Qt carries only an empty call of
// drain() to wake the owner's event loop. It also keeps the workers plain objects of the GUI thread: their signals
// are emitted there, so receivers need no queued connections and no registered meta-types.
// Thread-safety: post() and deliver() from any thread; the destructor on the owner's thread. A delivery still queued
// when the JobThread is destroyed is dropped, as is a job not yet started.
#pragma once

#include <QObject>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace fm::ui {

class JobThread : public QObject {
    Q_OBJECT
public:
    explicit JobThread(QObject* parent = nullptr);
    ~JobThread() override;   // waits for the running job; drops the jobs and deliveries still queued

    void post(std::function<void()> job);
    void deliver(std::function<void()> fn);

private:
    Q_INVOKABLE void drain();   // on the owner's thread: runs the deliveries queued so far
    void run();

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> jobs_, deliveries_;
    bool quit_ = false;
    std::thread thread_;   // last: started once the members above exist
};

}  // namespace fm::ui
