#include "conditions_lane.h"

#include <QCheckBox>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMouseEvent>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QScrollBar>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

#include "model/generate_params.h"
#include "ui/piano_roll_view.h"

namespace fm::ui {

namespace {

constexpr int kStripHeight = 22;

QString qs(const std::string& s) { return QString::fromStdString(s); }

// The chords a musician picks first in a key: its diatonic triads, then the dominant seventh.
std::vector<Chord> chords_of_key(int key_code) {
    const Key k = key_of_code(std::max(key_code, 0));
    static const int major_steps[7] = {0, 2, 4, 5, 7, 9, 11}, minor_steps[7] = {0, 2, 3, 5, 7, 8, 10};
    static const ChordQuality major_q[7] = {ChordQuality::major, ChordQuality::minor, ChordQuality::minor, ChordQuality::major,
                                            ChordQuality::major, ChordQuality::minor, ChordQuality::diminished};
    static const ChordQuality minor_q[7] = {ChordQuality::minor, ChordQuality::diminished, ChordQuality::major, ChordQuality::minor,
                                            ChordQuality::minor, ChordQuality::major, ChordQuality::major};
    std::vector<Chord> out;
    for (int i = 0; i < 7; ++i)
        out.push_back(Chord{(k.tonic + (k.minor ? minor_steps[i] : major_steps[i])) % 12, k.minor ? minor_q[i] : major_q[i], -1});
    out.push_back(Chord{(k.tonic + 7) % 12, ChordQuality::dominant7, -1});
    return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// ChordStrip

ChordStrip::ChordStrip(PianoRollView* view, QWidget* parent) : QWidget(parent), view_(view) {
    setObjectName(QStringLiteral("chordStrip"));
    setFixedHeight(kStripHeight);
    setToolTip(tr("Chords asked for each bar: double-click to type one (Am, G7, C/E; empty: free), right-click to pick"));
    editor_ = new QLineEdit(this);
    editor_->setObjectName(QStringLiteral("chordCellEditor"));
    editor_->hide();
    connect(editor_, &QLineEdit::returnPressed, this, &ChordStrip::commitEditor);
    connect(editor_, &QLineEdit::editingFinished, this, [this] {
        if (editor_->isVisible()) commitEditor();
    });
    // The cells follow the roll as it scrolls and zooms.
    connect(view_->horizontalScrollBar(), &QScrollBar::valueChanged, this, qOverload<>(&QWidget::update));
    connect(view_->horizontalScrollBar(), &QScrollBar::rangeChanged, this, qOverload<>(&QWidget::update));
}

void ChordStrip::setChords(std::vector<Chord> chords, bool imported) {
    chords_ = std::move(chords);
    imported_ = imported && !chords_.empty();
    update();
}

void ChordStrip::setBars(int bars) {
    bars_ = std::max(1, bars);
    update();
}

QRect ChordStrip::cellRect(int bar) const {
    const double x0 = view_->stepX(bar * kStepsPerBar), x1 = view_->stepX(bar * kStepsPerBar + kStepsPerBar - 1) + view_->stepWidth();
    const QPoint origin = mapFrom(window(), view_->viewport()->mapTo(window(), QPoint(0, 0)));
    const int left = origin.x() + int(std::max(x0, view_->rollLeftX())), right = origin.x() + int(x1);
    if (right <= left || left >= width()) return {};
    return QRect(left, 0, right - left, height());
}

Chord ChordStrip::chordAt(int bar) const { return chords_.empty() ? no_chord() : chords_[size_t(bar) % chords_.size()]; }

int ChordStrip::barAt(const QPoint& p) const {
    for (int b = 0; b < bars_; ++b)
        if (cellRect(b).contains(p)) return b;
    return -1;
}

void ChordStrip::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().window());
    // Chords typed or picked in the text colour; a file's estimates (and free bars) greyed, a file's in italics.
    const QColor asked = palette().text().color(), greyed = palette().placeholderText().color();
    QFont f = font();
    f.setItalic(imported_);
    painter.setFont(f);
    for (int b = 0; b < bars_; ++b) {
        const QRect r = cellRect(b);
        if (r.isEmpty()) continue;
        painter.setPen(palette().mid().color());
        painter.drawRect(r.adjusted(0, 0, -1, -1));
        const Chord c = chordAt(b);
        painter.setPen(c.root < 0 || imported_ ? greyed : asked);
        painter.drawText(r.adjusted(4, 0, -2, 0), Qt::AlignVCenter | Qt::AlignLeft, c.root < 0 ? QStringLiteral("·") : qs(chord_name(c)));
    }
}

void ChordStrip::editBar(int bar) {
    if (bar < 0 || bar >= bars_) return;
    const QRect r = cellRect(bar);
    editing_ = bar;
    const Chord c = chordAt(bar);
    editor_->setText(c.root < 0 ? QString() : qs(chord_name(c)));
    editor_->setGeometry(r.isEmpty() ? QRect(0, 0, 80, height()) : r.united(QRect(r.left(), 0, 60, height())));   // room to type
    editor_->show();
    editor_->setFocus();
    editor_->selectAll();
}

void ChordStrip::commitEditor() {
    const int bar = editing_;
    editing_ = -1;
    editor_->hide();
    if (bar < 0) return;
    const QString text = editor_->text().trimmed();
    try {
        setChord(bar, text.isEmpty() ? no_chord() : parse_chord(text.toStdString()));
    } catch (const std::exception& e) {
        Q_EMIT invalidChord(QString::fromUtf8(e.what()));
    }
}

void ChordStrip::setChord(int bar, const Chord& c) {
    // A repeating progression becomes one chord per bar before a single bar changes.
    std::vector<Chord> per_bar;
    for (int i = 0; i < std::max(bars_, bar + 1); ++i) per_bar.push_back(chordAt(i));
    per_bar[size_t(bar)] = c;
    chords_ = std::move(per_bar);
    imported_ = false;   // edited: the user's now
    update();
    Q_EMIT chordsEdited();
}

void ChordStrip::mouseDoubleClickEvent(QMouseEvent* e) { editBar(barAt(e->pos())); }

void ChordStrip::contextMenuEvent(QContextMenuEvent* e) {
    const int bar = barAt(e->pos());
    if (bar < 0) return;
    QMenu menu(this);
    for (const Chord& c : chords_of_key(key_)) {
        QAction* a = menu.addAction(qs(chord_name(c)));
        connect(a, &QAction::triggered, this, [this, bar, c] { setChord(bar, c); });
    }
    menu.addSeparator();
    connect(menu.addAction(tr("Type a chord…")), &QAction::triggered, this, [this, bar] { editBar(bar); });
    connect(menu.addAction(tr("Free (the model chooses)")), &QAction::triggered, this, [this, bar] { setChord(bar, no_chord()); });
    menu.exec(e->globalPos());
}

// ---------------------------------------------------------------------------------------------------------------
// ConditionsLane

ConditionsLane::ConditionsLane(PianoRollView* view, QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("conditionsLane"));
    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(2);
    auto* row = new QHBoxLayout;
    row->setContentsMargins(4, 2, 4, 0);
    column->addLayout(row);
    strip_ = new ChordStrip(view, this);
    column->addWidget(strip_);

    chord_edit_ = new QLineEdit(this);
    chord_edit_->setObjectName(QStringLiteral("chordProgression"));
    chord_edit_->setPlaceholderText(tr("Chords, e.g. Am F C G"));
    chord_edit_->setToolTip(tr("Chords bar after bar, repeated over the roll; Enter applies. Empty: the model chooses"));
    // Applied when it changed (editingFinished also comes with every focus change, the window's closing included).
    connect(chord_edit_, &QLineEdit::editingFinished, this, [this] {
        if (chord_edit_->text() != applied_text_) setChordText(chord_edit_->text());
    });

    key_ = new QComboBox(this);
    key_->setObjectName(QStringLiteral("keyBox"));
    key_->addItem(tr("Any key"), -1);
    for (int minor = 0; minor < 2; ++minor)
        for (int tonic = 0; tonic < 12; ++tonic) {
            const Key k{tonic, minor == 1, 0};
            key_->addItem(qs(key_name(k)), key_code(k));
        }
    key_->setToolTip(tr("Key: the bar plans keep to its scale (with Lock) and lean on its tonic"));
    connect(key_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { strip_->setKey(key_->currentData().toInt()); });
    scale_lock_ = new QCheckBox(tr("Lock"), this);
    scale_lock_->setChecked(Conditions().scale_lock);
    scale_lock_->setToolTip(tr("Keep to the asked harmony: with a key every note stays in its scale, and a bar with a chord "
                               "holds its tones and at most two others. Off: the conditions only steer the model"));
    estimated_ = new QLabel(this);
    estimated_->setObjectName(QStringLiteral("estimatedKey"));

    style_ = new QComboBox(this);
    style_->setObjectName(QStringLiteral("styleBox"));
    style_->addItem(tr("Any style"), int(Style::any));
    for (int s = 0; s < kStyles; ++s) style_->addItem(QString::fromLatin1(style_name(Style(s))), s);
    style_->setToolTip(tr("Style: the corpus to sound like (pop: POP909, classical: ASAP, folk: Nottingham, chorale: JSB)"));

    tempo_ = new QSpinBox(this);
    tempo_->setObjectName(QStringLiteral("tempoBox"));
    tempo_->setRange(0, 300);
    tempo_->setSpecialValueText(tr("Any tempo"));
    tempo_->setSuffix(tr(" bpm"));
    tempo_->setToolTip(tr("Tempo the music is written for (slower tempos get more notes per bar); the result plays at it"));

    density_on_ = new QCheckBox(tr("Density"), this);
    density_on_->setObjectName(QStringLiteral("densityBox"));
    density_ = new QSlider(Qt::Horizontal, this);
    density_->setObjectName(QStringLiteral("densitySlider"));
    density_->setRange(0, 100);
    density_->setValue(50);
    density_->setEnabled(false);
    density_->setMaximumWidth(110);
    density_->setToolTip(tr("Notes per bar: sparse (left) to busy (right)"));
    connect(density_on_, &QCheckBox::toggled, density_, &QWidget::setEnabled);

    guidance_ = new QDoubleSpinBox(this);
    guidance_->setObjectName(QStringLiteral("guidanceBox"));
    guidance_->setRange(0.0, 10.0);
    guidance_->setSingleStep(0.5);
    guidance_->setDecimals(1);
    guidance_->setValue(GenerateParams().guidance);
    guidance_->setPrefix(tr("Guidance "));
    guidance_->setToolTip(tr("How strongly the conditions are followed: 1 as trained, 2-3 more strictly (less varied)"));

    auto* clear_button = new QPushButton(tr("Clear"), this);
    clear_button->setToolTip(tr("Ask for nothing: every condition off"));
    connect(clear_button, &QPushButton::clicked, this, &ConditionsLane::clear);

    row->addWidget(new QLabel(tr("Conditions:"), this));
    row->addWidget(chord_edit_, 2);
    row->addWidget(key_);
    row->addWidget(scale_lock_);
    row->addWidget(estimated_);
    row->addWidget(style_);
    row->addWidget(tempo_);
    row->addWidget(density_on_);
    row->addWidget(density_);
    row->addWidget(guidance_);
    row->addWidget(clear_button);

    connect(strip_, &ChordStrip::chordsEdited, this, &ConditionsLane::syncChordText);
    connect(strip_, &ChordStrip::invalidChord, this, &ConditionsLane::invalidChord);
}

Conditions ConditionsLane::conditions() const {
    Conditions c;
    c.key = key_->currentData().toInt();
    c.scale_lock = scale_lock_->isChecked();
    c.style = Style(style_->currentData().toInt());
    c.tempo = tempo_->value();
    if (density_on_->isChecked()) c.density = {density_->value() / 100.0};
    for (const Chord& ch : strip_->chords())
        if (ch.root >= 0) {   // any chord asked: the list as it stands (free bars stay free)
            c.chords = strip_->chords();
            break;
        }
    return c;
}

double ConditionsLane::guidance() const { return guidance_->value(); }

void ConditionsLane::setBars(int bars) { strip_->setBars(bars); }

bool ConditionsLane::setChordText(const QString& text) {
    std::vector<Chord> chords;
    if (!text.trimmed().isEmpty()) {   // empty: no chord asked
        try {
            chords = parse_chords(text.trimmed().toStdString());
        } catch (const std::exception& e) {
            Q_EMIT invalidChord(QString::fromUtf8(e.what()));
            return false;
        }
    }
    strip_->setChords(std::move(chords), false);
    applied_text_ = text;
    if (chord_edit_->text() != text) chord_edit_->setText(text);
    return true;
}

void ConditionsLane::syncChordText() {
    QStringList names;
    for (const Chord& c : strip_->chords()) names << (c.root < 0 ? QStringLiteral("-") : qs(chord_name(c)));
    applied_text_ = names.join(QLatin1Char(' '));
    chord_edit_->setText(applied_text_);
}

void ConditionsLane::showImported(const Key& key, const std::vector<Chord>& chords) {
    strip_->setChords(chords, true);
    syncChordText();
    estimated_->setText(tr("file: %1").arg(qs(key_name(key))));
    estimated_->setToolTip(tr("The opened file's key, as estimated from its notes"));
}

void ConditionsLane::clear() {
    strip_->setChords({}, false);
    applied_text_.clear();
    chord_edit_->clear();
    key_->setCurrentIndex(0);
    style_->setCurrentIndex(0);
    tempo_->setValue(0);
    density_on_->setChecked(false);
    guidance_->setValue(GenerateParams().guidance);
    estimated_->clear();
}

}  // namespace fm::ui
