// A popup on the map whose content is React: opened at `at` on the map of the surrounding MapView, told when its ×
// is clicked (`onClose`), and removed with the component.
import { type ReactNode, useEffect, useRef, useState } from 'react'
import { createPortal } from 'react-dom'
import { Popup } from 'maplibre-gl'
import { useMap } from './MapView'

export function MapPopup({ at, onClose, maxWidth = '280px', children }: {
  /** [lng, lat] */
  at: [number, number]
  onClose: () => void
  maxWidth?: string
  children: ReactNode
}) {
  const map = useMap()
  const [container] = useState(() => document.createElement('div'))
  const [popup] = useState(() => new Popup({ closeButton: true, closeOnClick: false, maxWidth, offset: 10 }).setDOMContent(container))
  const closeRef = useRef(onClose)
  useEffect(() => {
    closeRef.current = onClose
  }, [onClose])
  const [lng, lat] = at

  useEffect(() => {
    popup.setLngLat([lng, lat])
  }, [popup, lng, lat])

  useEffect(() => {
    const closed = () => closeRef.current()
    popup.addTo(map)
    popup.on('close', closed)
    return () => {
      popup.off('close', closed)
      popup.remove()
    }
  }, [map, popup])

  return createPortal(children, container)
}
