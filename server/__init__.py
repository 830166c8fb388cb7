"""The course server: a thin FastAPI layer over the course store, its stored keys and the grader (issue 10).

`server.app.create_app(course_dir)` builds the app; `azmoon serve` runs it on uvicorn.
"""
