// Home: who you are (unit, roles) and a few figures from the API, as a starting dashboard.
import { useEffect, useState } from 'react'
import { Link } from 'react-router'
import { Card, Col, Descriptions, Row, Skeleton, Statistic, Tag, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { listCells, listRoles, listUnits, listUsers, type Role } from '../../api/client'
import { useAuth } from '../../app/auth'
import { localName } from '../../app/i18n'
import { NAV_ITEMS, navAllowed } from '../../app/nav'

interface Counts {
  units?: number | null
  cells?: number | null
  users?: number | null
}

/** A count from a list endpoint's total; null when the call fails. */
const total = (p: Promise<{ total: number }>) => p.then((r) => r.total, () => null)

export default function HomePage() {
  const { t, i18n } = useTranslation()
  const { me, can, config } = useAuth()
  const [counts, setCounts] = useState<Counts>({})
  const [roles, setRoles] = useState<Role[]>([])
  const lang = i18n.language === 'en' ? 'en' : 'zh-CN'

  useEffect(() => {
    let live = true
    const jobs: Array<Promise<void>> = []
    if (can('org:read')) jobs.push(total(listUnits()).then((units) => { if (live) setCounts((c) => ({ ...c, units })) }))
    if (can('grid:read')) jobs.push(total(listCells({ page: 1, pageSize: 1 })).then((cells) => { if (live) setCounts((c) => ({ ...c, cells })) }))
    if (can('user:read')) jobs.push(total(listUsers({ page: 1, pageSize: 1 })).then((users) => { if (live) setCounts((c) => ({ ...c, users })) }))
    if (can('role:read')) listRoles().then((r) => { if (live) setRoles(r.items) }, () => undefined)
    return () => { live = false }
  }, [can])

  if (!me) return null
  const shortcuts = NAV_ITEMS.filter((i) => i.key !== 'home' && navAllowed(i, can, me.roles))
  const roleName = (key: string) => {
    const role = roles.find((r) => r.key === key)
    return role ? localName(role.name, role.nameEn, lang) : t(`roleNames.${key}`, { defaultValue: key })
  }
  const stat = (key: keyof Counts, permission: string, to: string) =>
    can(permission) && (
      <Col xs={24} sm={8} key={key}>
        <Card>
          <Link to={to} data-testid={`count-${key}`}>
            {counts[key] === undefined ? (
              <Skeleton active paragraph={false} />
            ) : (
              <Statistic title={t(`home.count.${key}`)} value={counts[key] ?? '—'} />
            )}
          </Link>
        </Card>
      </Col>
    )

  return (
    <div className="xh-page" data-testid="home-page">
      <div className="xh-page-header">
        <h1>{t('home.welcome', { name: me.displayName })}</h1>
        {config && <Typography.Text type="secondary">{localName(config.districtName, config.districtNameEn, lang)}</Typography.Text>}
      </div>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={t('home.you')}>
            <Descriptions
              column={1}
              size="small"
              items={[
                { key: 'username', label: t('people.username'), children: me.username },
                {
                  key: 'unit',
                  label: t('people.unit'),
                  children: (
                    <>
                      <span data-testid="home-unit">{localName(me.unit.name, me.unit.nameEn, lang)}</span>{' '}
                      <Tag>{t(`unitKind.${me.unit.kind}`)}</Tag>
                    </>
                  ),
                },
                {
                  key: 'roles',
                  label: t('people.roles'),
                  children: (
                    <span data-testid="home-roles">
                      {me.roles.length ? me.roles.map((r) => <Tag color="blue" key={r}>{roleName(r)}</Tag>) : '—'}
                    </span>
                  ),
                },
                { key: 'phone', label: t('people.phone'), children: me.phone ?? '—' },
              ]}
            />
          </Card>
        </Col>
        {shortcuts.length > 0 && (
          <Col xs={24} lg={12}>
            <Card title={t('home.shortcuts')}>
              <Row gutter={[8, 8]}>
                {shortcuts.map((item) => (
                  <Col xs={12} sm={8} key={item.key}>
                    <Link to={item.path} className="xh-shortcut">
                      <Card size="small" hoverable>
                        {item.icon} <span style={{ marginInlineStart: 6 }}>{t(`nav.${item.key}`)}</span>
                      </Card>
                    </Link>
                  </Col>
                ))}
              </Row>
            </Card>
          </Col>
        )}
        {stat('units', 'org:read', '/units')}
        {stat('cells', 'grid:read', '/grid')}
        {stat('users', 'user:read', '/people')}
      </Row>
    </div>
  )
}
