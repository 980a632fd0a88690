# Innolab – deutsche Texte (Hauptsprache)

## Rahmen und Navigation
skip-to-content = Zum Inhalt springen
nav-label = Hauptnavigation
nav-home = Startseite
nav-organisations = Organisationen
nav-account = Mein Konto
nav-admin = Verwaltung
nav-login = Anmelden
nav-logout = Abmelden
nav-register = Registrieren
switch-language = English
logged-in-as = Angemeldet als
footer-accessibility = Erklärung zur Barrierefreiheit
footer-api = API (OpenAPI)
footer-tagline = Innolab – Herausforderungen und Co-Creation für die öffentliche Verwaltung.
pagination-label = Seitennavigation
pagination-prev = Vorherige Seite
pagination-next = Nächste Seite
pagination-position = Seite { $page } von { $last }
never = nie
unknown = unbekannt

## Formulare
form-email = E-Mail-Adresse
form-display-name = Name
form-display-name-hint = So erscheinen Sie für andere, zum Beispiel „Erika Mustermann“.
form-password = Passwort
form-password-hint = Mindestens 12 Zeichen. Am besten mehrere zufällige Wörter; gängige oder leicht zu erratende Passwörter werden abgelehnt.
form-new-password = Neues Passwort
form-current-password = Aktuelles Passwort
form-locale = Sprache
form-save = Speichern
form-filter = Anzeigen
form-optional = optional
form-org-name = Name der Organisation
form-org-kind = Art der Organisation
form-org-kind-hint = Behörden werden vor der ersten Veröffentlichung von der Plattform geprüft.
form-website = Website
form-website-hint = Vollständige Adresse, beginnend mit https://
form-description = Beschreibung
form-markdown-hint = Sie können Markdown verwenden: **fett**, Listen mit „-“, Links als [Text](https://…).

## Fehlermeldungen
error-summary-title = Bitte korrigieren Sie Folgendes
error-summary-prefix = Fehler
error-prefix = Fehler:
field-required = Bitte füllen Sie dieses Feld aus.
field-too-long = Dieser Text ist zu lang.
email-invalid = Bitte geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@beispiel.de.
email-taken = Für diese E-Mail-Adresse gibt es bereits ein Konto. Melden Sie sich an oder setzen Sie Ihr Passwort zurück.
locale-invalid = Bitte wählen Sie Deutsch oder Englisch.
password-too-short = Das Passwort muss mindestens 12 Zeichen lang sein.
password-too-long = Das Passwort darf höchstens 128 Zeichen lang sein.
password-common = Dieses Passwort ist weit verbreitet und wird bei Angriffen zuerst ausprobiert. Bitte wählen Sie ein anderes.
password-repeats = Wiederholungen wie „aaa“ oder „abcabc“ sind leicht zu erraten. Bitte wählen Sie ein anderes Passwort.
password-pattern = Tastaturmuster und Folgen wie „qwertz“ oder „1234“ sind leicht zu erraten. Bitte wählen Sie ein anderes Passwort.
password-dates = Jahreszahlen und Daten sind leicht zu erraten. Bitte wählen Sie ein anderes Passwort.
password-names = Namen – auch Ihr eigener – sind leicht zu erraten. Bitte wählen Sie ein anderes Passwort.
password-weak = Dieses Passwort ist zu leicht zu erraten. Verwenden Sie zum Beispiel drei oder vier zufällige Wörter.
password-wrong = Das aktuelle Passwort stimmt nicht.
login-failed = E-Mail-Adresse oder Passwort sind nicht richtig.
token-invalid = Dieser Link ist ungültig. Bitte prüfen Sie, ob Sie ihn vollständig kopiert haben.
token-used = Dieser Link wurde bereits verwendet.
token-expired = Dieser Link ist abgelaufen. Bitte fordern Sie einen neuen an.
token-limit = Sie haben die Höchstzahl an API-Schlüsseln erreicht. Widerrufen Sie zuerst einen alten.
url-invalid = Bitte geben Sie eine vollständige Adresse ein, die mit https:// oder http:// beginnt.
org-kind-invalid = Bitte wählen Sie die Art der Organisation.
role-invalid = Bitte wählen Sie eine Rolle.
member-already = Diese Person ist bereits Mitglied.
invitation-pending = An diese Adresse wurde bereits eine Einladung verschickt.
last-owner = Die letzte Inhaberin oder der letzte Inhaber kann die Organisation nicht verlassen. Ernennen Sie zuerst eine weitere Person zur Inhaberin oder zum Inhaber.
verify-only-agencies = Nur Behörden müssen geprüft werden.
email-unverified = Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse über den Link in unserer E-Mail.
agency-unverified = Diese Behörde ist noch nicht von der Plattform geprüft.
error-not-found = Die Seite oder der Eintrag wurde nicht gefunden.
error-unauthorized = Bitte melden Sie sich an.
error-forbidden = Dafür fehlt Ihnen die Berechtigung.
error-csrf = Das Formular ist abgelaufen oder stammt nicht von dieser Seite. Bitte laden Sie die Seite neu und senden Sie es erneut.
error-validation = Einige Angaben sind nicht gültig.
error-too-many-logins = Zu viele fehlgeschlagene Versuche. Bitte warten Sie 15 Minuten und versuchen Sie es dann erneut, oder setzen Sie Ihr Passwort zurück.
error-too-many = Zu viele Anfragen in kurzer Zeit. Bitte warten Sie etwas und versuchen Sie es dann erneut.
error-payload-too-large = Die gesendeten Daten sind zu groß. Dateien dürfen höchstens so groß sein, wie beim Feld angegeben.
error-unavailable = Der Dienst ist gerade überlastet. Bitte versuchen Sie es gleich noch einmal.
error-internal = Ein unerwarteter Fehler ist aufgetreten. Wir wurden benachrichtigt.

## Fehlerseiten
error-title = Fehler
error-400-title = Ungültige Anfrage
error-400-text = Die Anfrage konnte nicht verarbeitet werden. Bitte prüfen Sie Ihre Eingaben.
error-403-title = Keine Berechtigung
error-403-text = Sie dürfen diese Seite nicht aufrufen oder diese Aktion nicht ausführen.
error-404-title = Seite nicht gefunden
error-404-text = Diese Seite gibt es nicht oder nicht mehr. Vielleicht hat sich die Adresse geändert.
error-409-title = Aktion nicht möglich
error-409-text = Diese Aktion ist im jetzigen Zustand nicht möglich.
error-429-title = Zu viele Anfragen
error-429-text = Bitte warten Sie einen Moment und versuchen Sie es dann erneut.
error-500-title = Interner Fehler
error-500-text = Ein unerwarteter Fehler ist aufgetreten. Bitte versuchen Sie es später noch einmal.
error-503-title = Vorübergehend nicht verfügbar
error-503-text = Der Dienst ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal.
error-status = Fehlercode { $status }
error-home = Zur Startseite

## Hinweise nach Aktionen
flash-login-required = Bitte melden Sie sich an, um fortzufahren.
flash-logged-in = Sie sind angemeldet.
flash-logged-out = Sie sind abgemeldet.
flash-email-verified = Ihre E-Mail-Adresse ist bestätigt.
flash-password-reset = Ihr Passwort wurde geändert. Bitte melden Sie sich mit dem neuen Passwort an.
flash-profile-saved = Ihre Angaben wurden gespeichert.
flash-password-changed = Ihr Passwort wurde geändert. Alle anderen Sitzungen wurden beendet und alle API-Schlüssel widerrufen.
flash-verification-sent = Wir haben Ihnen eine neue Bestätigungs-E-Mail geschickt.
flash-token-revoked = Der API-Schlüssel wurde widerrufen.
flash-session-revoked = Die Sitzung wurde beendet.
flash-invitation-accepted = Willkommen! Sie sind jetzt Mitglied.
flash-invitation-declined = Die Einladung wurde abgelehnt.
flash-org-created = Die Organisation wurde angelegt.
flash-org-saved = Die Änderungen wurden gespeichert.
flash-member-invited = Die Einladung wurde per E-Mail verschickt.
flash-member-removed = Das Mitglied wurde entfernt.
flash-role-changed = Die Rolle wurde geändert.
flash-org-left = Sie haben die Organisation verlassen.
flash-org-verified = Die Behörde ist jetzt geprüft.

## Startseite
home-title = Startseite
home-heading = Gemeinsam bessere Verwaltung bauen
home-lead = Behörden beschreiben echte Aufgaben. Startups, Zivilgesellschaft und Forschung antworten mit Lösungen, die man ausprobieren kann. Fachleute bewerten fair und nachvollziehbar.
home-cta-register = Jetzt registrieren
home-cta-organisation = Organisation anlegen
home-how-title = So funktioniert Innolab
home-how-agencies-title = Für Behörden
home-how-agencies = Veröffentlichen Sie Herausforderungen mit Problem, Budget und Frist – von Bund, Land oder Kommune.
home-how-teams-title = Für Lösungsteams
home-how-teams = Reichen Sie gemeinsam Vorschläge ein und zeigen Sie mit Pilotformularen, dass Ihre Lösung funktioniert.
home-how-evaluators-title = Für Bewertende
home-how-evaluators = Bewerten Sie Vorschläge stufenweise nach klaren Kriterien, mit Schutz vor Interessenkonflikten.
home-how-citizens-title = Für Bürgerinnen und Bürger
home-how-citizens = Testen Sie neue digitale Verwaltungsformulare und sagen Sie, wie gut sie funktionieren.
home-stats-title = Dabei sind
home-topics-title = Themen

## Konto: Registrierung, Anmeldung, Passwort
register-title = Registrieren
register-intro = Mit einem Konto können Sie Organisationen anlegen, Vorschläge einreichen und Fragen stellen.
register-submit = Konto anlegen
register-have-account = Sie haben schon ein Konto?
registered-title = Fast geschafft
registered-text = Wir haben eine E-Mail an { $email } geschickt. Bitte bestätigen Sie Ihre Adresse über den Link darin.
registered-next = Sie können sich schon jetzt anmelden. Organisationen anlegen können Sie, sobald Ihre Adresse bestätigt ist.
verify-title = E-Mail-Adresse bestätigen
verify-intro = Bitte bestätigen Sie, dass diese E-Mail-Adresse Ihnen gehört.
verify-submit = Adresse bestätigen
verify-broken = Dieser Bestätigungslink kann nicht verwendet werden. Melden Sie sich an, um einen neuen anzufordern.
login-title = Anmelden
login-submit = Anmelden
login-forgot = Passwort vergessen?
login-no-account = Noch kein Konto? Jetzt registrieren
forgot-title = Passwort vergessen
forgot-intro = Geben Sie Ihre E-Mail-Adresse ein. Wenn es dazu ein Konto gibt, schicken wir Ihnen einen Link zum Zurücksetzen.
forgot-submit = Link anfordern
forgot-sent = Wenn es zu dieser Adresse ein Konto gibt, ist eine E-Mail mit einem Link unterwegs. Der Link ist eine Stunde gültig.
reset-title = Neues Passwort festlegen
reset-submit = Passwort speichern
reset-broken = Dieser Link kann nicht verwendet werden.
reset-request-new = Neuen Link anfordern

## Konto-Einstellungen
account-title = Mein Konto
account-open-invitations = { $count ->
    [one] Sie haben eine offene Einladung.
   *[other] Sie haben { $count } offene Einladungen.
}
account-unverified-title = E-Mail-Adresse noch nicht bestätigt
account-unverified = Wir haben einen Bestätigungslink an { $email } geschickt. Keine E-Mail erhalten?
account-resend = Bestätigungs-E-Mail erneut senden
account-profile-title = Persönliche Angaben
account-organisations-title = Meine Organisationen
account-no-organisations = Sie sind noch in keiner Organisation Mitglied.
account-password-title = Passwort ändern
account-password-intro = Nach der Änderung werden alle anderen Sitzungen beendet und alle API-Schlüssel widerrufen.
account-password-submit = Passwort ändern
account-tokens-title = API-Schlüssel
account-tokens-intro = Mit einem API-Schlüssel können andere Programme in Ihrem Namen auf die Innolab-API zugreifen (Kopfzeile „Authorization: Bearer …“).
account-token-name = Bezeichnung des Schlüssels
account-token-create = Schlüssel erzeugen
account-token-created = Neuer API-Schlüssel
account-token-once = Kopieren Sie den Schlüssel jetzt. Er wird nur dieses eine Mal angezeigt.
account-token-revoke = Widerrufen
account-sessions-title = Angemeldete Geräte
account-session-current = dieses Gerät
account-session-revoke = Beenden
col-name = Name
col-created = Erstellt
col-last-used = Zuletzt benutzt
col-last-seen = Zuletzt aktiv
col-actions = Aktionen
col-device = Gerät
col-address = Adresse
col-role = Rolle
col-since = Mitglied seit
col-status = Status
col-time = Zeit
col-actor = Person
col-action = Aktion
col-object = Objekt
col-details = Details

## Einladungen
invitations-title = Einladungen
invitations-item = Einladung zu { $org } als { $role }
invitations-expires = Gültig bis
invitations-accept = Annehmen
invitations-decline = Ablehnen
invitations-none = Sie haben keine offenen Einladungen.

## Organisationen
organisations-title = Organisationen
organisations-filter-kind = Art
organisations-all-kinds = Alle Arten
organisations-count = { $count ->
    [one] Eine Organisation
   *[other] { $count } Organisationen
}
organisation-new-title = Organisation anlegen
organisation-edit-title = Organisation bearbeiten
organisation-since = Auf Innolab seit
organisation-your-role = Ihre Rolle
organisation-edit = Bearbeiten
organisation-leave = Organisation verlassen
organisation-pending-note = Diese Behörde wird noch von der Plattform geprüft. Bis dahin kann sie keine Herausforderungen veröffentlichen.
kind-agency = Behörde
kind-startup = Startup
kind-civil_society = Zivilgesellschaft
kind-research = Forschung
kinds-agency = Behörden
kinds-startup = Startups
kinds-civil_society = zivilgesellschaftliche Gruppen
kinds-research = Forschungsteams
role-owner = Inhaber/in
role-member = Mitglied
badge-verified = Geprüft
badge-pending = Prüfung ausstehend
members-title = Mitglieder
members-back = Zurück zum Profil
members-you = Sie
members-make-owner = Zur Inhaberin/zum Inhaber machen
members-make-member = Zum Mitglied machen
members-remove = Entfernen
members-invite-title = Person einladen
members-invite-intro = Hat die Person schon ein Konto, wird sie sofort Mitglied. Sonst erhält sie eine Einladung per E-Mail.
members-invite-submit = Einladen

## Verwaltung
admin-title = Verwaltung
admin-users-title = Konten
admin-users-intro = Alle Konten mit Status und Registrierungsdatum.
admin-users-search = Name oder E-Mail enthält
admin-users-count = { $count ->
    [one] Ein Konto
   *[other] { $count } Konten
}
admin-user-verified = bestätigt
admin-user-unverified = unbestätigt
admin-badge = Admin
admin-organisations-title = Prüfung von Behörden
admin-organisations-intro = Behörden müssen geprüft sein, bevor sie Herausforderungen veröffentlichen. Prüfen Sie die Angaben, bevor Sie bestätigen.
admin-organisations-none = Keine Behörde wartet auf Prüfung.
admin-pending-count = { $count ->
    [0] Keine Behörde wartet auf Prüfung.
    [one] Eine Behörde wartet auf Prüfung.
   *[other] { $count } Behörden warten auf Prüfung.
}
admin-verify = Als geprüft bestätigen
admin-audit-title = Prüfprotokoll
admin-audit-intro = Anmeldungen, verweigerte Zugriffe, Rollen- und Mitgliedschaftsänderungen, Prüfungen – unveränderlich verkettet.
admin-audit-verify = Verkettung jetzt prüfen
conflict-duplicate = Diesen Eintrag gibt es bereits. Bitte laden Sie die Seite neu und prüfen Sie Ihre Angaben.
admin-audit-filter = Aktion
admin-audit-intact = Die Verkettung ist intakt ({ $count } Einträge geprüft).
admin-audit-broken = Die Verkettung ist ab Eintrag { $id } beschädigt!
admin-topics-title = Themen
admin-topics-card = Themen anlegen, umbenennen und stilllegen.
admin-topics-intro = Challenges und Gutachtende werden mit diesen Themen verschlagwortet. Stillgelegte Themen bleiben an bestehenden Challenges, erscheinen aber nicht mehr in Filtern und Formularen.
admin-topics-active = Themen in Gebrauch
admin-topics-none = Es gibt noch kein Thema.
admin-topics-retired = Stillgelegte Themen
admin-topics-retired-intro = Diese Themen bleiben an den Challenges, die sie tragen, lassen sich aber nicht mehr auswählen.
admin-topics-back = Zurück zu den Themen
admin-topic-title = Thema bearbeiten
admin-topic-new = Neues Thema
admin-topic-add = Thema anlegen
admin-topic-name-de = Name (Deutsch)
admin-topic-name-en = Name (Englisch)
admin-topic-slug = Kürzel
admin-topic-slug-hint = Kleinbuchstaben, Ziffern und Bindestriche, höchstens 40 Zeichen, zum Beispiel „open-data“. Es steht in Adressen und Filtern und lässt sich später nicht ändern.
admin-topic-used = Challenges
admin-topic-used-count = { $count ->
    [0] keine
    [one] eine
   *[other] { $count }
}
admin-topic-edit = Bearbeiten
admin-topic-retire = Stilllegen
admin-topic-restore = Wieder verwenden
admin-topic-retired-badge = stillgelegt
admin-topic-rename-hint = Ein neuer Name erscheint überall, auch an bestehenden Challenges; die Suche wird dafür neu aufgebaut.
admin-topic-retire-hint = Stillgelegt bleibt das Thema an bestehenden Challenges, verschwindet aber aus Filtern und Formularen.
topic-slug-invalid = Bitte nur Kleinbuchstaben, Ziffern und Bindestriche verwenden (höchstens 40 Zeichen, nicht am Anfang oder Ende ein Bindestrich).
topic-slug-taken = Dieses Kürzel ist schon vergeben.
topic-too-many = Es gibt schon 500 Themen; bitte legen Sie ungenutzte still, statt neue anzulegen.
flash-topic-created = Das Thema ist angelegt.
flash-topic-saved = Das Thema ist gespeichert.
flash-topic-retired = Das Thema ist stillgelegt.
flash-topic-restored = Das Thema kann wieder gewählt werden.

## Barrierefreiheit
accessibility-title = Erklärung zur Barrierefreiheit
accessibility-intro = Innolab soll für alle Menschen nutzbar sein. Diese Erklärung gilt für die Plattform unter dieser Adresse und folgt der Barrierefreie-Informationstechnik-Verordnung (BITV 2.0), die auf die WCAG 2.1 in der Stufe AA verweist.
accessibility-status-title = Stand der Vereinbarkeit
accessibility-status = Die Plattform wird laufend automatisiert (axe-core) und manuell mit Tastatur und ohne JavaScript geprüft. Alle Aufgaben lassen sich ohne JavaScript und allein mit der Tastatur erledigen.
accessibility-known-title = Bekannte Einschränkungen
accessibility-known = Von Nutzerinnen und Nutzern hochgeladene Dokumente sind nicht immer barrierefrei. Wir bitten die Einreichenden, barrierefreie Dateien zu verwenden.
accessibility-feedback-title = Feedback und Kontakt
accessibility-feedback = Sind Ihnen Barrieren aufgefallen? Schreiben Sie uns. Wir antworten innerhalb von zwei Wochen.
accessibility-enforcement-title = Schlichtungsverfahren
accessibility-enforcement = Wenn Sie keine zufriedenstellende Antwort erhalten, können Sie sich an die Schlichtungsstelle nach dem Behindertengleichstellungsgesetz (BGG) wenden.

## E-Mails
mail-hello = Guten Tag,
mail-greeting = Guten Tag { $name },
mail-signature = Ihr Innolab-Team
mail-not-you = Wenn Sie sich nicht registriert haben, können Sie diese E-Mail ignorieren.
mail-verify-subject = Bitte bestätigen Sie Ihre E-Mail-Adresse
mail-verify-body = bitte bestätigen Sie Ihre E-Mail-Adresse für Innolab über diesen Link:
mail-verify-expiry = Der Link ist { $hours } Stunden gültig.
mail-reset-subject = Passwort zurücksetzen
mail-reset-body = Sie haben angefordert, Ihr Passwort zurückzusetzen. Über diesen Link legen Sie ein neues fest:
mail-reset-expiry = Der Link ist { $minutes } Minuten gültig und kann nur einmal verwendet werden.
mail-reset-not-you = Wenn Sie das nicht waren, können Sie diese E-Mail ignorieren. Ihr Passwort bleibt dann unverändert.
mail-account-exists-subject = Sie haben bereits ein Innolab-Konto
mail-account-exists-body = gerade wurde versucht, mit Ihrer E-Mail-Adresse ein neues Innolab-Konto anzulegen. Zu dieser Adresse gibt es bereits ein Konto.
mail-account-exists-login = Wenn Sie das waren, melden Sie sich einfach an:
mail-account-exists-reset = Passwort vergessen? Hier setzen Sie es zurück:
mail-account-exists-not-you = Wenn Sie das nicht waren, müssen Sie nichts tun: Ihr Konto bleibt, wie es ist.
mail-password-changed-subject = Ihr Passwort wurde geändert
mail-password-changed-body = das Passwort Ihres Innolab-Kontos wurde soeben geändert. Alle anderen Sitzungen wurden beendet und alle API-Schlüssel widerrufen.
mail-password-changed-not-you = Wenn Sie das nicht waren, setzen Sie Ihr Passwort sofort zurück:
mail-invitation-subject = Einladung zu Innolab
mail-invitation-body = { $inviter } lädt Sie ein, bei „{ $org }“ auf Innolab mitzuarbeiten.
mail-invitation-sign-in = Melden Sie sich an, um die Einladung anzunehmen oder abzulehnen:
mail-invitation-register = Registrieren Sie sich mit dieser E-Mail-Adresse:
mail-invitation-then = Nach der Bestätigung Ihrer Adresse finden Sie die Einladung hier:
mail-invitation-expiry = Die Einladung ist { $days } Tage gültig.
mail-org-verified-subject = Ihre Behörde wurde geprüft
mail-org-verified-body = „{ $org }“ wurde von der Plattform geprüft und kann jetzt Herausforderungen veröffentlichen.

## Legal pages
legal-impressum-title = Impressum
legal-privacy-title = Datenschutzerklärung
legal-other-language = Dieser Text liegt nur in einer anderen Sprache vor.
legal-placeholder = Der Betreiber hat diesen Text noch nicht hinterlegt.
legal-placeholder-operator = Betreiber: Bitte nennen Sie in der Konfiguration unter „{ $key }“ eine Markdown-Datei mit dem Text. Eine öffentliche Stelle darf die Seite ohne ihn nicht betreiben.
privacy-cookies-title = Cookies
privacy-cookies-intro = Diese Seite setzt nur Cookies, die für ihren Betrieb nötig sind; deshalb fragt sie nicht nach einer Einwilligung. Keines dient der Werbung oder der Reichweitenmessung.
privacy-cookie-name = Name
privacy-cookie-purpose = Zweck
privacy-cookie-lifetime = Speicherdauer
privacy-cookie-purpose-session = Hält Sie nach der Anmeldung angemeldet.
privacy-cookie-purpose-anon = Schützt Formulare vor Anfragen fremder Seiten (CSRF), bevor Sie sich anmelden.
privacy-cookie-purpose-lang = Merkt sich die Sprache, die Sie gewählt haben.
privacy-cookie-purpose-flash = Zeigt nach einer Aktion einmal eine Bestätigung an.
privacy-cookie-lifetime-session = bis zur Abmeldung, höchstens { $hours } Stunden
privacy-cookie-lifetime-anon = bis Sie den Browser schließen
privacy-cookie-lifetime-lang = ein Jahr
privacy-cookie-lifetime-flash = bis zur nächsten Seite
footer-impressum = Impressum
footer-privacy = Datenschutz
feed-title = Innolab: Herausforderungen
challenges-feed = Als Feed abonnieren (Atom)

## Personal data
account-data-title = Ihre Daten
account-data-intro = Sie können alles herunterladen, was die Plattform über Sie speichert (eine JSON-Datei), und Ihr Konto löschen.
account-export = Meine Daten herunterladen (JSON)
account-delete-title = Konto löschen
account-delete-intro = Ihre Adresse, Ihr Name, Ihr Passwort, Ihre Sitzungen, API-Schlüssel und Mitgliedschaften werden gelöscht; Sie können sich nicht mehr anmelden. Was Sie für Ihre Organisationen geschrieben haben (Vorschläge, Nachrichten, Gutachten), bleibt dort – ohne Ihren Namen. Mit derselben Adresse können Sie sich später neu registrieren.
account-delete-confirm = Ja, ich möchte mein Konto endgültig löschen.
account-delete-confirm-required = Bitte bestätigen Sie, dass Sie Ihr Konto löschen möchten.
account-delete-submit = Konto endgültig löschen
account-delete-sole-owner = Sie sind die einzige Inhaberin oder der einzige Inhaber einer Organisation mit weiteren Mitgliedern. Bitte machen Sie zuerst jemand anderen zur Inhaberin oder zum Inhaber.
flash-account-erased = Ihr Konto ist gelöscht.
