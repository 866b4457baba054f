// Runs the field outbox for a signed-in user who may report: sends what waits on each page load and when the
// browser comes back online, whatever page is open. Renders nothing.
import { useEffect } from 'react'
import { useAuth } from '../../app/auth'
import { startOutbox } from './outbox'

export default function OutboxRunner() {
  const { me, can } = useAuth()
  const userId = me && !me.mustChangePassword && can('case:report') ? me.id : null
  useEffect(() => (userId ? startOutbox(userId) : undefined), [userId])
  return null
}
