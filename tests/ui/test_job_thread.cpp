// test_job_thread.cpp — JobThread: jobs run in order on one other thread, deliveries run in order on the owner's
// thread, destruction waits for the running job and drops what is still queued, a delivery may delete its owner.
#include <QPointer>
#include <QTest>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "ui/job_thread.h"

using fm::ui::JobThread;

class TestJobThread : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void jobsRunInOrderOnOneOtherThreadAndDeliveriesComeBackInOrder() {
        JobThread jobs;
        std::vector<int> ran;                // written on the job thread only
        std::vector<int> delivered;          // written on this thread only
        std::vector<std::thread::id> where;  // of each delivery
        std::thread::id job_thread;
        bool one_thread = true;              // job thread only
        for (int i = 0; i < 100; ++i)
            jobs.post([&, i] {
                if (i == 0) job_thread = std::this_thread::get_id();
                one_thread = one_thread && std::this_thread::get_id() == job_thread;
                ran.push_back(i);
                jobs.deliver([&, i] {
                    delivered.push_back(i);
                    where.push_back(std::this_thread::get_id());
                });
            });
        QTRY_COMPARE_WITH_TIMEOUT(int(delivered.size()), 100, 10000);
        for (int i = 0; i < 100; ++i) QCOMPARE(delivered[size_t(i)], i);
        for (const auto& id : where) QVERIFY(id == std::this_thread::get_id());
        QVERIFY(one_thread);
        QVERIFY(job_thread != std::this_thread::get_id());
        QCOMPARE(int(ran.size()), 100);   // every delivery came after its job, under the same mutex
    }

    void destructionWaitsForTheRunningJobAndDropsTheRest() {
        std::atomic<bool> running{false}, release{false}, finished{false};
        std::atomic<int> later_jobs{0};
        int deliveries = 0;
        {
            JobThread jobs;
            jobs.post([&] {
                running = true;
                while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
                jobs.deliver([&] { ++deliveries; });   // queued, never run: the owner is gone before it drains
                finished = true;
            });
            for (int i = 0; i < 5; ++i) jobs.post([&] { ++later_jobs; });
            QTRY_VERIFY_WITH_TIMEOUT(running.load(), 10000);
            std::thread releaser([&] {
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
                release = true;
            });
            releaser.detach();
        }   // ~JobThread: waits for the first job; the five after it never start
        QVERIFY(finished.load());
        QCOMPARE(later_jobs.load(), 0);
        QCoreApplication::processEvents();
        QCOMPARE(deliveries, 0);
    }

    void aDeliveryMayDeleteItsOwner() {
        auto* jobs = new JobThread;
        int after = 0;
        QPointer<JobThread> alive(jobs);
        jobs->post([&, jobs] {
            jobs->deliver([jobs] { delete jobs; });
            jobs->deliver([&] { ++after; });   // dropped with its owner
        });
        QTRY_VERIFY_WITH_TIMEOUT(alive.isNull(), 10000);
        QCoreApplication::processEvents();
        QCOMPARE(after, 0);
    }
};

QTEST_MAIN(TestJobThread)
#include "test_job_thread.moc"
