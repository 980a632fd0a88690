search-title = Search
search-words = Search terms
search-submit = Search
search-hint = Several words must all appear. "Words in quotes" as a phrase, -word excludes. Filters right in the text: topic:AI, status:open, kind:proposal, agency:stadt-musterhausen.
search-intro = Search challenges, proposals, answered questions and organisations.
search-filters = Narrow the results
search-filter-remove = Remove filter
search-any = All
search-apply = Apply filters
search-sort = Order
search-sort-relevance = Relevance
search-sort-deadline = Deadline
search-sort-newest = Newest first
search-count = { $count ->
    [0] No results
    [one] One result
   *[other] { $count } results
}
search-none = No results. Try fewer or other words, or remove filters.
search-deadline = Deadline:
search-facet-kind = Kind
search-facet-status = Status
search-facet-topic = Topic
search-facet-agency = Agency
search-kind-challenge = Challenge
search-kind-proposal = Proposal
search-kind-question = Question
search-kind-organisation = Organisation
search-context-proposal = { $organisation } on “{ $challenge }”
search-context-question = Question on “{ $challenge }”
search-notice-truncated = Your input was very long; only its beginning was searched.
search-notice-any-word = No result contains every word. Showing results with some of them.
search-notice-building = The search index is being built; some results may be missing.
