"""The one place where nnviz touches Manim's machinery (issue 22).

Whatever subclasses Manim's scene, camera, renderer, file writer or configuration, patches a
Manim class or instance, reads a private Manim attribute or writes Manim's global ``config``
belongs here; the building blocks below it (:mod:`nnviz.mobjects`) use Manim's public mobject
API only, and the floors above use this package. Every override is marked with what it
replaces and why (:mod:`~nnviz.manim_adapter.replaces`), and ``tests/test_manim_adapter.py``
checks each against the installed Manim, and that nothing outside this package does any of
the above.

- :mod:`~nnviz.manim_adapter.scene`: :class:`~nnviz.manim_adapter.scene.AdaptedScene`, Manim's
  ``Scene`` with nnviz's overrides (the fast camera made with the scene's background, static
  parts drawn once, time by whole frames, stills of the final state); the scene classes of
  :mod:`nnviz.stories` build on it.
- :mod:`~nnviz.manim_adapter.camera`: :class:`~nnviz.manim_adapter.camera.FastCamera`,
  Manim's Cairo camera with fast paths for upright images, dot clouds, read-out glyphs and
  straight segments.
- :mod:`~nnviz.manim_adapter.timing`: how many frames Manim writes for a play and a still wait.
- :mod:`~nnviz.manim_adapter.plays`: a call after each animation a scene plays (the plan of
  a parallel render).
- :mod:`~nnviz.manim_adapter.caches`: each render's private text, Tex and partial-movie
  folders (Manim's ``partial_movie_dir`` set for the render and restored after it), and the
  final movie written atomically (the file writer's ``combine_files`` wrapped).
- :mod:`~nnviz.manim_adapter.pillow`: Manim 0.22's camera draws turned images on Pillow 13
  (its ``Image.fromarray`` reads arrays as Pillow 12 did; the adapter's scene applies it).
- :mod:`~nnviz.manim_adapter.slides`: manim-slides 5.7 on Manim 0.22 (``ManimConfig``
  options it sets that Manim removed or changed).
- :mod:`~nnviz.manim_adapter.replaces`: how an override says what it replaces.
"""
