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
