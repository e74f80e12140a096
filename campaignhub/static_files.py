"""Static files: WhiteNoise's middleware, answering with a response an ASGI server streams."""

from django.core.handlers.asgi import ASGIRequest
from whitenoise.middleware import WhiteNoiseMiddleware

from campaignhub.csv_export import async_chunks, file_chunks


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, with its file responses asynchronous when served over ASGI.

    WhiteNoise 6 is synchronous only: it answers with Django's `FileResponse`, whose synchronous
    iterator Django's ASGI handler collects whole in a thread, warning "StreamingHttpResponse
    must consume synchronous iterators in order to serve them asynchronously" at each server
    process's first static file. Here the file is read `FILE_CHUNK_BYTES` at a time on the
    request's thread and sent as it is read, as stored CSV downloads are. A request that is
    not ASGI (the test client) gets WhiteNoise's response as it is.
    """

    @staticmethod
    def serve(static_file, request):
        response = WhiteNoiseMiddleware.serve(static_file, request)
        if isinstance(request, ASGIRequest):
            handle = response.file_to_stream
            # No file for a HEAD or a 304: the (empty) body as it is.
            chunks = (
                file_chunks(handle)
                if handle is not None
                else (part for part in response.streaming_content)
            )
            response.streaming_content = async_chunks(chunks)
        return response
