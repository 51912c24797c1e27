// main_window.h — the studio's window: the piano roll with variation tabs, the Generate and Levels docks, the
// transport toolbar, menus and status bar.
//
//   fm::ui::MainWindow w;
//   w.show();
//   QTimer::singleShot(0, &w, [&] { w.startUp(midi_path, checkpoint); });   // loads the model on the worker thread
//
// The document (RollDocument) changes only through the undo stack. Generation runs on a GenerationWorker thread;
// its progress fills the roll live and its results become variation tabs ("Keep" makes one the current roll).
// What is shown (the current roll, a variation, or the live canvas) is what Play, Export and drag-out use.
// Split over main_window.cpp (construction, settings), main_window_files.cpp (File menu) and
// main_window_generate.cpp (model and generation), in the fm_studio library. Thread-safety: GUI thread only.
#pragma once

#include <QElapsedTimer>
#include <QMainWindow>
#include <QRgb>
#include <QString>
#include <QStringList>

#include <vector>

#include "core/midi_roll.h"
#include "core/roll.h"
#include "model/generate_params.h"
#include "ui/model_source.h"
#include "ui/studio_metatypes.h"

class QAction;
class QActionGroup;
class QLabel;
class QMenu;
class QUndoStack;

namespace fm::ui {

class ConditionsLane;
class GeneratePanel;
class GenerationWorker;
class JamController;
class JamPanel;
class LevelProgress;
class PianoRollView;
class PlaybackController;
class RollDocument;
class TrainingDialog;
class TrackList;
class TransportBar;
class VariationBar;
class VelocityLane;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // After show(): opens `midi` (if any) and loads `checkpoint`, else the default model, else the last one used.
    void startUp(const QString& midi = {}, const QString& checkpoint = {});
    void loadModel(const ModelSource& source);

    // File actions without their dialogs (the menu's dialogs call these; tests call them directly).
    bool openMidi(const QString& path);
    bool exportMidi(const QString& path);   // the shown roll, with the document's tempo map or the transport's tempo
    bool exportPng(const QString& path);
    bool renderWav(const QString& path);
    void newRoll(int width);
    // An undoable replace (tests, scripting); `tracks`: a stacked multi-track roll's names, one per 128 rows.
    void setDocumentRoll(const Roll& roll, const QString& name, const QStringList& tracks = {});

    // What the roll shows: the document or a variation; a multi-track roll whole (tracks x 128 rows), of which the
    // view edits the active track (Tracks dock) and draws the shown others behind it.
    const Roll& shownRoll() const { return shown_; }
    // The shown roll as one track of the audible tracks (Mute, Solo): what plays, renders and drags out.
    Roll audibleRoll() const;
    TrackList* trackList() const { return tracks_; }
    bool generating() const { return generating_; }
    // Message boxes for file errors (off in tests: errors still reach the status bar and lastError()).
    void setInteractive(bool interactive) { interactive_ = interactive; }
    QString lastError() const { return last_error_; }

    PianoRollView* view() const { return view_; }
    GeneratePanel* generatePanel() const { return panel_; }
    LevelProgress* levelProgress() const { return levels_; }
    PlaybackController* playback() const { return playback_; }
    TransportBar* transport() const { return transport_; }
    VariationBar* variations() const { return variations_; }
    ConditionsLane* conditionsLane() const { return lane_; }
    VelocityLane* velocityLane() const { return velocity_lane_; }
    JamController* jamController() const { return jam_; }
    JamPanel* jamPanel() const { return jam_panel_; }
    void startJam();   // the Jam panel's settings, the loaded model; the roll follows the session
    // The settings of the last generation started (its input roll and mask left out): what the model was asked.
    const GenerateParams& lastParams() const { return running_; }
    RollDocument* document() const { return doc_; }
    QUndoStack* undoStack() const { return undo_; }
    QAction* foldAction() const { return fold_; }
    // Training › New run…: the dialog (created on first use; hiding it leaves its run going), or null before that.
    TrainingDialog* trainingDialog() const { return training_; }
    QAction* trainingAction() const { return train_; }

public Q_SLOTS:
    void generate();
    // The model around the musician's notes: everything but the selected notes regenerated (an inpainting mask made
    // from them), or everything right of the playhead (a continuation of what is left of it).
    void fillAroundSelection();
    void continueFromPlayhead();
    void cancelGeneration();
    void togglePlay();
    void showTrainingDialog();

Q_SIGNALS:
    void modelReady(const fm::ui::ModelInfo& info);
    void modelFailed(const QString& error);
    void generationFinished(bool cancelled, const QString& error);

protected:
    void closeEvent(QCloseEvent* e) override;

private:
    // main_window.cpp
    void createActions();
    void createMenus();
    void createDocks();
    void restoreSettings();
    void saveSettings();
    void showRoll(const Roll& roll);
    void display(const Roll& roll);   // the roll in the view (its active track, the others as ghosts); no lane update

    // Tracks (main_window_tracks.cpp).
    void createTracks();
    QStringList shownTrackNames() const;   // the names of shown_'s tracks (empty for one track)
    std::vector<QRgb> ghostCells(const Roll& stacked) const;
    // The request `p` (over the document as the panel and the roll ask; `active_mask`: 128 x W cells of the active track
    // to regenerate instead of the mode's, for fill-around) made fit for a multi-track model: the kept tracks known,
    // the others written where the mode says. False (after saying why) when the roll's tracks are not the model's.
    bool fitTracks(GenerateParams* p, const std::vector<uint8_t>& active_mask = {});
    int modelRows() const;   // 128 x the loaded model's tracks
    void adoptModelTracks();   // a multi-track model loaded over a one-track roll: that roll becomes its last track
    bool openTracks(const QString& path, MidiRoll* merged);   // a multi-track model's roles from a file's tracks
    bool exportTracks(const QString& path);
    void onDocumentChanged();
    void onVariationShown(int variation);
    void keepVariation(int variation);
    void updateTitle();
    void zoom(double factor);
    void clearRegion();
    void eraseSelectedNotes();
    void showError(const QString& what, bool file_error);
    void showMessage(const QString& text);

    // main_window_files.cpp
    void openDialog();
    void exportMidiDialog();
    void exportPngDialog();
    void renderWavDialog();
    void rebuildRecentMenu();
    void addRecent(const QString& path);
    QString askSavePath(const QString& title, const QString& filter, const QString& suffix);
    std::vector<TempoChange> exportTempo() const;

    // main_window_edit.cpp
    void createEditing();
    void onRollEdited(const Roll& after, const QString& what);
    void updateEditable();
    // main_window_jam.cpp
    void createJam();
    void showJamRecording();
    // main_window_generate.cpp
    void createWorker();
    bool readyToGenerate();                                        // not running, a model loaded (else says so)
    GenerateParams paramsOver(GenerateMode mode, const Roll& input);   // the panel's and lane's settings over a roll
    void startGeneration(GenerateParams p);
    bool buildParams(GenerateParams* params);
    void onModelReady(const ModelInfo& info);
    void onModelFailed(const QString& error);
    void onProgress(int level, int step, int of, int window, int windows, const Roll& canvas);
    void onFinished(const std::vector<Roll>& rolls, bool cancelled, const QString& error);

    RollDocument* doc_ = nullptr;
    QUndoStack* undo_ = nullptr;
    PianoRollView* view_ = nullptr;
    ConditionsLane* lane_ = nullptr;
    VelocityLane* velocity_lane_ = nullptr;
    JamController* jam_ = nullptr;
    JamPanel* jam_panel_ = nullptr;
    int jam_pending_first_ = -1, jam_pending_bars_ = 0;   // the bars the model is making now (shown grey)
    VariationBar* variations_ = nullptr;
    TrackList* tracks_ = nullptr;
    Roll shown_;   // what the view shows (see shownRoll)
    GeneratePanel* panel_ = nullptr;
    LevelProgress* levels_ = nullptr;
    PlaybackController* playback_ = nullptr;
    TransportBar* transport_ = nullptr;
    GenerationWorker* worker_ = nullptr;

    QAction* new_ = nullptr;
    QAction* open_ = nullptr;
    QAction* export_mid_ = nullptr;
    QAction* export_png_ = nullptr;
    QAction* render_wav_ = nullptr;
    QAction* quit_ = nullptr;
    QAction* clear_region_ = nullptr;
    QAction* erase_notes_ = nullptr;
    QActionGroup* tools_ = nullptr;
    QAction* fold_ = nullptr;
    QAction* zoom_in_ = nullptr;
    QAction* zoom_out_ = nullptr;
    QAction* generate_ = nullptr;
    QAction* cancel_ = nullptr;
    QAction* about_ = nullptr;
    QAction* copy_ = nullptr;
    QAction* cut_ = nullptr;
    QAction* paste_ = nullptr;
    QAction* select_all_ = nullptr;
    QAction* fit_ = nullptr;
    QAction* fill_around_ = nullptr;
    QAction* continue_here_ = nullptr;
    QAction* train_ = nullptr;
    TrainingDialog* training_ = nullptr;
    QLabel* training_label_ = nullptr;
    QMenu* recent_menu_ = nullptr;
    QLabel* hover_label_ = nullptr;
    QLabel* speed_label_ = nullptr;

    ModelSource pending_source_;
    ModelInfo model_info_;
    GenerateParams running_;
    QElapsedTimer clock_;
    bool generating_ = false;
    bool interactive_ = true;
    QString last_error_;
};

}  // namespace fm::ui
