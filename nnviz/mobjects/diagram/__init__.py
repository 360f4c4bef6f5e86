"""The network as a diagram that follows the epoch clock, one job a module: where its parts go
(:mod:`.geometry`, plain numpy), the colours of the neurons' heatmaps (:mod:`.activation_colors`),
the graph of nodes, links, bias rings and heatmaps (:mod:`.graph`), the formula and its numbers
as text (:mod:`.formula`), the live weights (:mod:`.weight_readout`), and one run's network in
the whole frame (:mod:`.layout`)."""
