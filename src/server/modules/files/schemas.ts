// TypeBox schemas of the file routes.
import { Type } from 'typebox'
import { Obj, Uuid } from '../../platform/http.js'
import { PHOTO_TYPES, THUMBNAIL_TYPE } from '../../platform/files/images.js'

export const IdParams = Obj({ id: Uuid })

export const UploadReply = Obj({
  id: Uuid,
  contentType: Type.Union([Type.Literal('image/jpeg'), Type.Literal('image/png'), Type.Literal('image/webp')], { description: 'recognised from the bytes, not the type the client claimed' }),
  sizeBytes: Type.Integer(),
  width: Type.Integer({ description: 'as displayed (EXIF orientation applied)' }),
  height: Type.Integer(),
  url: Type.String({ description: '/api/files/<id>: the photo exactly as uploaded' }),
  thumbnailUrl: Type.String({ description: `/api/files/<id>/thumbnail: a small ${THUMBNAIL_TYPE} without EXIF/GPS metadata` }),
})

const Bytes = Type.String({ format: 'binary' })

/** The bytes, typed as sniffed at upload (documentation only: a stream is sent as it is). */
export const PhotoBytes = {
  description: 'The photo as uploaded',
  content: Object.fromEntries(PHOTO_TYPES.map((t) => [t, { schema: Bytes }])),
}

export const ThumbnailBytes = {
  description: 'The thumbnail, without metadata',
  content: { [THUMBNAIL_TYPE]: { schema: Bytes } },
}
