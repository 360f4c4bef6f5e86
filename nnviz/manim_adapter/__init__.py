"""The one place where nnviz touches Manim's machinery (issue 22, in progress).

Whatever subclasses Manim's scene, camera, renderer or file writer, patches a Manim class or
instance, reads a private Manim attribute or writes Manim's global ``config`` belongs here;
the building blocks above it (:mod:`nnviz.mobjects`) use Manim's public mobject API only.

- :mod:`nnviz.manim_adapter.caches`: each render's private text, Tex and partial-movie
  folders (Manim's ``partial_movie_dir`` set for the render and restored after it).
- :mod:`nnviz.manim_adapter.pillow`: Manim 0.22's camera draws turned images on Pillow 13
  (its ``Image.fromarray`` reads arrays as Pillow 12 did; :class:`~nnviz.stories.base.NNVizScene`
  applies it).
"""
