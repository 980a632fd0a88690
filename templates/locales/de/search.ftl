search-title = Suche
search-words = Suchbegriffe
search-submit = Suchen
search-hint = Mehrere Wörter müssen alle vorkommen. "Wörter in Anführungszeichen" als Wortgruppe, -Wort schließt aus. Filter direkt im Text: thema:KI, status:offen, art:vorschlag, behoerde:stadt-musterhausen.
search-intro = Durchsuchen Sie Herausforderungen, Lösungsvorschläge, beantwortete Fragen und Organisationen.
search-filters = Ergebnisse eingrenzen
search-filter-remove = Filter entfernen
search-any = Alle
search-apply = Filter anwenden
search-sort = Sortierung
search-sort-relevance = Relevanz
search-sort-deadline = Frist
search-sort-newest = Neueste zuerst
search-count = { $count ->
    [0] Keine Treffer
    [one] Ein Treffer
   *[other] { $count } Treffer
}
search-none = Keine Treffer. Versuchen Sie weniger oder andere Wörter, oder entfernen Sie Filter.
search-deadline = Frist:
search-facet-kind = Art
search-facet-status = Status
search-facet-topic = Thema
search-facet-agency = Behörde
search-kind-challenge = Herausforderung
search-kind-proposal = Lösungsvorschlag
search-kind-question = Frage
search-kind-organisation = Organisation
search-context-proposal = { $organisation } zu „{ $challenge }“
search-context-question = Frage zu „{ $challenge }“
search-notice-truncated = Ihre Eingabe war sehr lang; gesucht wurde nur mit ihrem Anfang.
search-notice-any-word = Kein Treffer enthält alle Wörter. Angezeigt werden Treffer mit einigen davon.
search-notice-building = Der Suchindex wird gerade aufgebaut; es können noch Treffer fehlen.
