# Herausforderungen, Fragen, Vorschläge

## Fehlermeldungen
budget-invalid = Bitte geben Sie das Budget als ganze Euro-Zahl ein, zum Beispiel 45000.
challenge-finished = Diese Herausforderung ist abgeschlossen und kann nicht mehr geändert werden.
deadline-in-past = Die Einreichungsfrist muss in der Zukunft liegen.
deadline-invalid = Bitte geben Sie Datum und Uhrzeit ein, zum Beispiel 31.12.2026, 18:00.
deadline-only-later = Es liegen schon Einreichungen vor: Die Frist kann nur noch verlängert werden.
eligibility-invalid = Bitte wählen Sie nur Startups, Zivilgesellschaft oder Forschung.
eligibility-required = Bitte wählen Sie mindestens eine Art von Organisation, die einreichen darf.
level-invalid = Bitte wählen Sie die Verwaltungsebene.
locked-after-submissions = Es liegen schon Einreichungen vor: Diese Angabe kann nicht mehr geändert werden.
reviewers-invalid = Bitte geben Sie zwischen 1 und 20 Bewertende pro Vorschlag an.
scale-invalid = Die Skala muss von einem kleineren zu einem größeren Wert zwischen 0 und 100 reichen.
stage-kind-invalid = Eine Stufe ist entweder eine Bewertung oder eine Prüfliste.
stages-locked = Die Bewertung hat begonnen: Die Stufen können nicht mehr geändert werden.
too-many = Das sind zu viele Einträge.
topic-invalid = Bitte wählen Sie Themen aus der Liste.
transition-illegal = Dieser Schritt ist im aktuellen Status nicht möglich.
visibility-invalid = Bitte wählen Sie, ob Vorschläge nach der Frist öffentlich werden.
weight-invalid = Das Gewicht muss eine Zahl größer als 0 sein.
challenge-not-accepting = Diese Herausforderung nimmt keine Vorschläge (mehr) an.
organisation-not-eligible = Ihre Organisation darf bei dieser Herausforderung nicht einreichen.
proposal-exists = Ihre Organisation hat zu dieser Herausforderung bereits einen Vorschlag.
proposal-withdrawn = Der Vorschlag wurde zurückgezogen und kann nicht mehr bearbeitet werden.
proposal-changed = Der Vorschlag wurde inzwischen geändert, zum Beispiel zurückgezogen oder von jemand anderem bearbeitet. Ihre Änderung wurde nicht gespeichert: Bitte laden Sie den Vorschlag neu und prüfen Sie ihn.
deadline-passed = Die Einreichungsfrist ist abgelaufen.
proposal-not-draft = Nur Entwürfe können eingereicht werden.
proposal-not-submitted = Das geht nur bei eingereichten Vorschlägen.
challenge-in-evaluation = Die Bewertung hat begonnen: Der Vorschlag kann nicht mehr zurückgezogen werden.
proposal-not-withdrawn = Nur zurückgezogene Vorschläge können wieder geöffnet werden.
file-empty = Bitte wählen Sie eine Datei aus.
file-type = Dieser Dateityp ist nicht erlaubt. Erlaubt sind PDF, PNG, JPEG, OpenDocument- und Office-Dokumente, CSV und Text.
file-too-large = Die Datei ist zu groß.
file-run-quota = Diese Datei passt nicht mehr dazu: alle Dateien eines Durchgangs zusammen dürfen höchstens 30 MB groß sein.

## Navigation und Listen
nav-challenges = Herausforderungen
nav-dashboard = Übersicht
challenges-title = Herausforderungen
challenge-title = Herausforderung
challenges-filter-label = Herausforderungen filtern
challenges-search = Suchbegriff
challenges-filter-status = Status
challenges-filter-topic = Thema
challenges-filter-agency = Behörde
challenges-filter-level = Ebene
challenges-sort = Sortierung
challenges-filter-soon = Nur mit Frist in den nächsten 14 Tagen
all-topics = Alle Themen
all-agencies = Alle Behörden
challenges-agencies-directory = Weitere Behörden im Verzeichnis
all-levels = Alle Ebenen
challenges-count = { $count ->
    [0] Keine Herausforderung gefunden.
    [one] Eine Herausforderung
   *[other] { $count } Herausforderungen
}
challenge-new-title = Herausforderung anlegen
challenge-edit-title = Herausforderung bearbeiten
cstatus-draft = Entwurf
cstatus-open = Offen
cstatus-closed = Geschlossen
cstatus-evaluating = In Bewertung
cstatus-concluded = Abgeschlossen
cstatus-archived = Archiviert
cstatus-all = Alle veröffentlichten
sort-deadline = Frist (nächste zuerst)
sort-newest = Neueste zuerst
sort-title = Titel
level-bund = Bund
level-land = Land
level-kommune = Kommune
deadline-today = Frist endet heute
days-left = { $count ->
    [one] noch 1 Tag
   *[other] noch { $count } Tage
}
deadline-passed-short = Frist abgelaufen

## Detailseite
challenge-agency = Behörde
challenge-deadline = Einreichungsfrist
challenge-budget = Budget
challenge-level = Verwaltungsebene
challenge-eligibility = Wer darf einreichen
challenge-visibility = Sichtbarkeit der Vorschläge
visibility-private = Vorschläge sehen nur das Team und die Behörde.
visibility-public_after_deadline = Vorschläge werden nach der Frist öffentlich (ohne vertrauliche Angaben).
challenge-contact = Kontakt
challenge-propose = Vorschlag einreichen
challenge-follow = Folgen
challenge-unfollow = Nicht mehr folgen
challenge-public-proposals = Öffentliche Vorschläge ansehen
challenge-manage-title = Verwaltung dieser Herausforderung
challenge-submitted-count = { $count ->
    [0] Noch keine Einreichungen.
    [one] Eine Einreichung.
   *[other] { $count } Einreichungen.
}
challenge-edit = Bearbeiten
challenge-draft-preview = Vorschau: Dieser Entwurf ist noch nicht veröffentlicht und nur für Ihre Behörde sichtbar.
challenge-description = Beschreibung
challenge-stages = Ablauf und Bewertung
stage-kind-review = Bewertung
stage-kind-eligibility = Formale Prüfung (Ja/Nein)
stage-reviewers = { $count ->
    [one] 1 Bewertung je Vorschlag
   *[other] { $count } Bewertungen je Vorschlag
}
stage-blind = anonymisiert
stage-criteria = Kriterien
criterion-name = Kriterium
criterion-weight = Gewicht
criterion-scale = Skala
transition-publish = Veröffentlichen
transition-close = Einreichung schließen
transition-start_evaluation = Bewertung beginnen
transition-conclude = Abschließen
transition-archive = Archivieren
back-to-challenge = Zurück zur Herausforderung
challenge-field-title = Titel
challenge-field-summary = Kurzbeschreibung
challenge-field-summary-hint = Ein bis zwei Sätze für die Übersicht.
challenge-field-language = Sprache der Texte
challenge-field-region = Region
challenge-field-budget-hint = In Euro, zum Beispiel 45000.
challenge-field-deadline-hint = Datum und Uhrzeit (deutsche Zeit). Bis dahin nimmt die Plattform Einreichungen an, auf die Sekunde genau.
challenge-topics = Themen

## Dateien
attachments-title = Dateien
attachments-none = Keine Dateien.
attachments-file = Datei
attachments-hint = PDF, PNG, JPEG, OpenDocument, Word/Excel/PowerPoint, CSV oder Text; höchstens 20 MB.
attachments-delete = Löschen
flash-file-deleted = Die Datei wurde gelöscht.
attachments-upload = Hochladen

## Fragen
questions-title = Fragen und Antworten
questions-desk-title = Fragen beantworten
question-title = Ihre Frage
question-label = Frage:
answer-label = Antwort:
decline-label = Nicht beantwortet, weil:
question-anonymous = Anonym
question-status-open = wartet auf Antwort
question-status-answered = beantwortet
question-status-declined = abgelehnt
question-hidden = ausgeblendet
questions-none = Noch keine öffentlichen Fragen.
question-ask-title = Eine Frage stellen
question-body = Ihre Frage
question-body-hint = Die Behörde beantwortet Fragen öffentlich, damit alle dieselben Informationen haben.
honeypot-label = Dieses Feld bitte leer lassen
question-anonymous-choice = Anonym fragen (niemand, auch die Behörde nicht, sieht, wer gefragt hat)
question-anonymous-visitor = Ohne Anmeldung fragen Sie anonym.
question-submit = Frage senden
question-asked-title = Frage gesendet
question-asked-anonymous = Ihre Frage wurde anonym gesendet. Unter diesem privaten Link sehen Sie später die Antwort. Bewahren Sie ihn auf; er wird nur jetzt angezeigt.
answer-field = Öffentliche Antwort
decline-field = Oder: Grund für die Ablehnung
answer-submit = Antwort veröffentlichen
decline-submit = Ablehnen
question-hide = Ausblenden
question-show = Wieder anzeigen
hide-reason = Grund

## Vorschläge
challenge-proposals-title = Vorschläge
proposals-count = { $count ->
    [0] Keine Vorschläge.
    [one] Ein Vorschlag
   *[other] { $count } Vorschläge
}
proposal-title = Vorschlag
proposal-new-title = Vorschlag beginnen
proposal-edit-title = Vorschlag bearbeiten
proposal-organisation = Organisation
proposal-challenge = Herausforderung
proposal-submitted-at = Eingereicht am
proposal-revision = Fassung { $number }
pstatus-draft = Entwurf
pstatus-submitted = Eingereicht
pstatus-withdrawn = Zurückgezogen
proposal-field-title = Titel
proposal-field-summary = Zusammenfassung
proposal-field-approach = Lösungsansatz
proposal-field-team = Team
proposal-field-pilot_scope = Umfang des Piloten
proposal-field-pilot_duration = Dauer des Piloten
proposal-field-pilot_kpis = Kennzahlen und Ziele
proposal-field-cost_estimate_eur = Kostenschätzung
proposal-field-data_protection = Datenschutz
proposal-field-licence = Lizenz / Open Source
proposal-pilot = Pilotplan
proposal-private = Vertrauliche Angaben
proposal-edit = Bearbeiten
proposal-submit = Einreichen
proposal-withdraw = Zurückziehen
proposal-reopen = Wieder als Entwurf öffnen
proposal-kpis-hint = Eine Kennzahl pro Zeile mit Zielwert, zum Beispiel „Abschlussquote ≥ 80 %“.
proposal-licence-hint = Zum Beispiel EUPL-1.2, MIT oder „proprietär“ mit Begründung.
proposal-note = Was wurde geändert?
proposal-note-hint = Erscheint in der Liste der Fassungen.
proposal-form-hint = Einen Entwurf können Sie jederzeit speichern; zum Einreichen müssen alle Felder außer der Kostenschätzung ausgefüllt sein.
proposal-save = Speichern
proposal-save-submit = Speichern und einreichen
revisions-title = Fassungen
revision-first = Erste eingereichte Fassung.
revision-no-changes = Keine inhaltlichen Änderungen.
diff-added = Hinzugefügt:
diff-removed = Entfernt:
thread-title = Rückfragen
thread-intro = Nur das Team und die Behörde sehen diese Nachrichten.
thread-empty = Noch keine Nachrichten.
thread-message = Nachricht
thread-send = Senden

## Übersicht und Benachrichtigungen
dashboard-title = Übersicht
dashboard-challenges = Meine Herausforderungen
dashboard-drafts = Entwürfe
dashboard-submitted = Eingereicht
dashboard-questions = Offene Fragen
dashboard-proposals = Meine Vorschläge
dashboard-no-proposals = Sie haben noch keine Vorschläge.
notifications-title = Benachrichtigungen
notifications-unread = { $count ->
    [one] 1 ungelesen
   *[other] { $count } ungelesen
}
notifications-mark-read = Alle als gelesen markieren
notifications-new = Neu:
notifications-none = Keine Benachrichtigungen.
notify-challenge-status = Der Status von „{ $title }“ hat sich geändert.
notify-question-new = Neue Frage zu „{ $title }“.
notify-question-answered = Eine Frage zu „{ $title }“ wurde beantwortet.
notify-proposal-submitted = Vorschlag „{ $title }“ wurde eingereicht.
notify-document-added = Neues Dokument zu „{ $title }“.
notify-deadline-near = Die Einreichungsfrist von „{ $title }“ endet bald.
notify-message = Neue Nachricht zu „{ $title }“.

## Hinweise nach Aktionen
flash-challenge-created = Der Entwurf wurde angelegt.
flash-challenge-saved = Die Änderungen wurden gespeichert.
flash-challenge-status = Der Status wurde geändert.
flash-following = Sie folgen dieser Herausforderung.
flash-unfollowed = Sie folgen dieser Herausforderung nicht mehr.
flash-question-asked = Ihre Frage wurde gesendet.
flash-question-answered = Die Antwort wurde gespeichert.
flash-answer-empty = Bitte schreiben Sie eine Antwort oder einen Grund für die Ablehnung.
flash-question-moderated = Die Sichtbarkeit der Frage wurde geändert.
flash-file-uploaded = Die Datei wurde hochgeladen.
flash-proposal-created = Der Entwurf wurde angelegt.
flash-proposal-saved = Der Vorschlag wurde gespeichert.
flash-proposal-submitted = Der Vorschlag wurde eingereicht.
flash-proposal-withdrawn = Der Vorschlag wurde zurückgezogen.
flash-proposal-reopened = Der Vorschlag ist wieder ein Entwurf.
flash-message-sent = Die Nachricht wurde gesendet.
flash-notifications-read = Alle Benachrichtigungen sind gelesen.

## Stufen-Editor
stages-title = Ablauf und Bewertung bearbeiten
stages-intro = Legen Sie die Stufen in ihrer Reihenfolge an, jede mit ihren Kriterien. Leere Zeilen werden ignoriert; in der leeren Zeile am Ende fügen Sie ein Kriterium oder eine Stufe hinzu.
stages-new = Neue Stufe
stages-where-stage = Stufe { $stage }
stages-where-criterion = Stufe { $stage }, Kriterium { $criterion }
stage-name = Name der Stufe
stage-position = Reihenfolge
stage-kind = Art
stage-reviewers-field = Bewertungen je Vorschlag
stage-blind-field = Anonymisiert bewerten (Team und Organisation bleiben verborgen)
stage-starts = Beginn
stage-ends = Ende
stage-remove = Diese Stufe entfernen
criterion-description = Beschreibung
criterion-min = Skala von
criterion-max = Skala bis
criterion-comment = Begründung nötig
criterion-remove = Entfernen
criterion-new = neu
challenge-edit-stages = Ablauf bearbeiten
flash-stages-saved = Der Ablauf wurde gespeichert.
visibility-excludes-blind = Diese Challenge hat eine verblindete Stufe: Vorschläge bleiben privat, sonst wären die Teams für die Begutachtenden sichtbar.
blind-needs-private-proposals = Eine verblindete Stufe ist nur möglich, wenn die Vorschläge privat bleiben: Öffentliche Vorschläge nennen ihr Team.
